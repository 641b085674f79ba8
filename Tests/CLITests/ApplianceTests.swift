import Agent
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The appliance from outside, as its users run it: `crucible up` in one process, `crucible submit --wait`
/// and `crucible leaderboard` against it over loopback HTTP, and the main job, `crucible demo`.
/// In the serialized CLI suite: the local agent's sandboxes use the same slots as the other CLI tests.
extension CrucibleCLITests {
    /// A `crucible up` in the background, stopped with SIGTERM at the end.
    final class RunningAppliance {
        let process = Process()
        let data: String
        let port: Int
        /// Its log: a file, not a pipe nobody reads (a full pipe would stall the appliance).
        let log: String

        init() throws {
            data = NSTemporaryDirectory() + "crucible-up-\(UUID().uuidString.prefix(8))"
            // A port the kernel says is free (a random one may be some connection's ephemeral port).
            port = LoopbackPort.unused() ?? Int.random(in: 20_000...30_000)
            process.executableURL = URL(fileURLWithPath: CrucibleCLITests.executable)
            process.arguments = ["up", "--data", data, "--listen", "127.0.0.1:\(port)", "--slots", "2"]
            log = data + ".log"
            FileManager.default.createFile(atPath: log, contents: nil)
            let handle = FileHandle(forWritingAtPath: log)
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
        }

        var url: String { "http://127.0.0.1:\(port)" }
        var token: String {
            (try? String(contentsOfFile: data + "/admin.token", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        }

        /// Generous: on a loaded test machine the node check's sandbox alone can take seconds.
        func waitUntilReady() async throws {
            for _ in 0..<600 {
                if !token.isEmpty,
                    let (_, response) = try? await URLSession.shared.data(from: URL(string: url + "/readyz")!),
                    (response as? HTTPURLResponse)?.statusCode == 200
                {
                    return
                }
                if !process.isRunning { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            let state = process.isRunning ? "still starting" : "exited \(process.terminationStatus)"
            Issue.record("crucible up did not come up (\(state)); its log:\n\(output.suffix(4000))")
        }

        func get(_ path: String) async throws -> Data {
            var request = URLRequest(url: URL(string: url + path)!)
            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
            return try await URLSession.shared.data(for: request).0
        }

        /// SIGTERM: running jobs finish, then everything stops; the exit status. Waited for on a thread of
        /// its own, not on the test run's few shared threads.
        func stop() async -> Int32 {
            kill(process.processIdentifier, SIGTERM)
            let process = process
            await withCheckedContinuation { continuation in
                Thread {
                    process.waitUntilExit()
                    continuation.resume()
                }.start()
            }
            try? FileManager.default.removeItem(atPath: data)
            try? FileManager.default.removeItem(atPath: log)
            return process.terminationStatus
        }
    }

    static var repository: String {
        // The test bundle sits in .build/debug; the task bank is at the repository's top.
        var url = URL(fileURLWithPath: executable).deletingLastPathComponent()
        while url.path != "/" && !FileManager.default.fileExists(atPath: url.path + "/tasks/candidates") {
            url.deleteLastPathComponent()
        }
        return url.path
    }

    @Test(.enabled(if: isRoot), .timeLimit(.minutes(5)))
    func upThenSubmitTheSampleBankForTwoModels() async throws {
        let appliance = try RunningAppliance()
        try await appliance.waitUntilReady()
        let candidates = NSTemporaryDirectory() + "crucible-candidates-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: candidates) }
        for model in ["reference", "off-by-one"] {
            try FileManager.default.copyItem(
                atPath: Self.repository + "/tasks/candidates/\(model)", toPath: candidates + "/\(model)")
        }
        let submitted = try await Self.crucibleOffPool([
            "submit", "--server", appliance.url, "--token-file", appliance.data + "/admin.token", "--tasks",
            Self.repository + "/tasks", "--candidates", candidates, "--name", "two models", "--wait",
        ])
        #expect(submitted.status == 0, "\(submitted.stdout)\n\(submitted.stderr)")
        let runID = try #require(
            submitted.stdout.split(separator: " ").dropFirst().first.map { String($0.dropLast()) })
        #expect(submitted.stdout.contains("64 jobs submitted"))
        #expect(submitted.stdout.contains("64 evaluated, 0 errored"))

        let results = try JSONSerialization.jsonObject(with: try await appliance.get("/v1/runs/\(runID)/results"))
        let entries = try #require((results as? [String: Any])?["results"] as? [[String: Any]])
        #expect(entries.count == 64)
        for entry in entries {
            let model = entry["model"] as? String
            let verdict = entry["verdict"] as? String
            #expect(entry["state"] as? String == "completed")
            #expect(
                model == "reference" ? verdict == "passed" : verdict != "passed",
                "\(entry["task_id"] ?? ""): \(verdict ?? "")")
            #expect(entry["score"] is [String: Any], "every evaluated job is scored")
        }
        // Where a test framework ran, the off-by-one answers fail with the failing tests named.
        let failing = entries.filter { $0["model"] as? String == "off-by-one" && $0["verdict"] as? String == "failed" }
        let named = failing.filter { entry in
            ((entry["tests"] as? [[String: Any]]) ?? []).contains {
                ["failed", "error"].contains($0["status"] as? String)
            }
        }
        #expect(named.count >= failing.count / 2, "\(named.count) of \(failing.count) name their failing tests")

        // The whole run as live events: every job's end, in order, then the run's.
        let stream = String(decoding: try await appliance.get("/v1/runs/\(runID)/events"), as: UTF8.self)
        let completed = stream.components(separatedBy: "\"state\":\"completed\"").count - 1
        #expect(completed >= 64)
        #expect(stream.contains("event: run_state"))

        let board = try await Self.crucibleOffPool([
            "leaderboard", "--server", appliance.url, "--token-file", appliance.data + "/admin.token", "--run", runID,
            "--format", "csv",
        ])
        #expect(board.status == 0)
        let rows = board.stdout.split(separator: "\n")
        #expect(rows.count == 3)
        #expect(rows.dropFirst().first?.hasPrefix("1,reference,") == true, "\(board.stdout)")

        // Cancelling a run that has ended changes nothing; a run that does not exist is bad input.
        let token = ["--server", appliance.url, "--token-file", appliance.data + "/admin.token"]
        let ended = try await Self.crucibleOffPool(["cancel", runID] + token)
        #expect(ended.status == 0, "\(ended.stderr)")
        #expect(ended.stdout.contains("run \(runID) completed: 64 evaluated, 0 errored"), "\(ended.stdout)")
        let missing = try await Self.crucibleOffPool(["cancel", "run_nosuchrun"] + token)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("run_nosuchrun"), "\(missing.stderr)")

        // The local agent's and the sandboxes' metrics on the control plane's /metrics.
        let metrics = String(decoding: try await appliance.get("/metrics"), as: UTF8.self)
        for name in [
            "crucible_agent_jobs_total{verdict=\"passed\"}",
            "crucible_agent_step_duration_seconds_count{step=\"test\"}",
            "crucible_sandbox_setup_seconds_count", "crucible_http_requests_total",
        ] {
            #expect(metrics.contains(name), "\(name) missing from /metrics")
        }
        // Every job leased ahead got its slot: none is left waiting once the run is over.
        let waiting = metrics.split(separator: "\n").first { $0.hasPrefix("crucible_agent_jobs_waiting ") }
        #expect(waiting.flatMap { Double($0.split(separator: " ").last ?? "") } == 0, "\(waiting ?? "no gauge")")
        #expect(await appliance.stop() == 0)
    }

    /// `crucible up` run twice in one directory: the second cannot have the port, and its agent must not
    /// register with (and lease jobs from) the first one's server, which answers on that port with the same token.
    @Test(.enabled(if: isRoot), .timeLimit(.minutes(3)))
    func aSecondUpOnATakenPortStopsWithoutItsAgentJoiningTheFirst() async throws {
        let appliance = try RunningAppliance()
        try await appliance.waitUntilReady()
        func nodes() async throws -> [[String: Any]] {
            let list = try JSONSerialization.jsonObject(with: try await appliance.get("/v1/nodes"))
            return (list as? [String: Any])?["nodes"] as? [[String: Any]] ?? []
        }
        var registered = try await nodes().count
        for _ in 0..<100 where registered == 0 {
            try await Task.sleep(for: .milliseconds(100))
            registered = try await nodes().count
        }
        #expect(registered == 1, "the first appliance's own agent")

        let second = try await Self.crucibleOffPool([
            "up", "--data", appliance.data, "--listen", "127.0.0.1:\(appliance.port)",
        ])
        #expect(second.status != 0, "\(second.stdout)\n\(second.stderr)")
        #expect(second.stderr.contains("in use"), "\(second.stderr)")
        #expect(!second.stderr.contains("registered"), "\(second.stderr)")
        #expect(try await nodes().count == 1, "no agent of the second appliance joined the first")
        #expect(await appliance.stop() == 0)
    }

    @Test(.enabled(if: isRoot), .timeLimit(.minutes(5)))
    func demoRunsTheMainJobEndToEnd() async throws {
        let data = NSTemporaryDirectory() + "crucible-demo-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: data) }
        // How long it takes is recorded in bench/RESULTS.md (a release build on a quiet machine), not asserted by a
        // test on a shared one: the time limit above only catches a hang.
        let output = try await Self.crucibleOffPool(["demo", "--data", data])
        #expect(output.status == 0, "\(output.stdout)\n\(output.stderr)")
        #expect(output.stdout.contains("Leaderboard"))
        #expect(output.stdout.contains("Passed tasks per language"))
        let leaderboard = try String(contentsOfFile: data + "/leaderboard.csv", encoding: .utf8)
        #expect(leaderboard.split(separator: "\n").dropFirst().first?.hasPrefix("1,reference,") == true)
        let lines = try String(contentsOfFile: data + "/results.ndjson", encoding: .utf8).split(separator: "\n")
        #expect(lines.count >= 100)
        let results = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:] }
        #expect(results.allSatisfy { $0["state"] as? String == "completed" }, "no job errored or was lost")
        let byModel = Dictionary(grouping: results) { $0["model"] as? String ?? "" }
        #expect(byModel["reference"]?.allSatisfy { $0["verdict"] as? String == "passed" } == true)
        #expect(byModel["looper"]?.allSatisfy { $0["verdict"] as? String == "timeout" } == true)
        #expect(byModel["no-compile"]?.filter { $0["verdict"] as? String == "build_failed" }.count ?? 0 >= 30)
        #expect(byModel["hostile"]?.allSatisfy { $0["verdict"] as? String != "passed" } == true)
    }
}
