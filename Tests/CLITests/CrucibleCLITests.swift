import Foundation
import Testing

/// The command line from outside, as users and scripts see it: exit codes, messages, JSON.
/// Serialized: every `crucible sandbox run` uses slot 0, so two at once would share a host uid.
@Suite(.serialized) struct CrucibleCLITests {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static var executable: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("crucible")
            .path
    }

    static let isRoot = geteuid() == 0

    static func crucible(_ arguments: [String], stdin: String? = nil) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
        let stderrData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus, stdout: String(decoding: stdoutData, as: UTF8.self),
            stderr: String(decoding: stderrData, as: UTF8.self))
    }

    @Test(
        arguments: [
            (["sandbox", "run", "--memory", "12Q", "--", "/bin/true"], "--memory 12Q"),
            (["sandbox", "run", "--wall-time", "soon", "--", "/bin/true"], "--wall-time soon"),
            (["sandbox", "run", "--pids", "-1", "--", "/bin/true"], "--pids -1: give at least 1"),
            (["sandbox", "run", "--cpu-time", "-1", "--", "/bin/true"], "--cpu-time -1: not a duration"),
            (["sandbox", "run", "--network", "internet", "--", "/bin/true"], "--network internet"),
            (["sandbox", "run", "--json"], "no command given"),
            (["sandbox", "run", "--frobnicate", "--", "/bin/true"], "--frobnicate"),
            (["sandbox", "run", "--policy", "/nonexistent.yaml", "--", "/bin/true"], "cannot read policy file"),
            (["sandbox", "bench", "--count", "0", "--", "/bin/true"], "--count 0"),
            (["policy", "show", "--policy", "/nonexistent.yaml"], "cannot read policy file"),
        ] as [([String], String)])
    func badInputExitsTwoAndSaysWhy(arguments: [String], message: String) throws {
        let output = try Self.crucible(arguments)
        #expect(output.status == 2, "\(arguments): \(output.stderr)")
        #expect(output.stderr.contains(message), "\(output.stderr)")
        #expect(output.stdout.isEmpty)
    }

    @Test(.enabled(if: isRoot)) func missingWorkdirExitsTwo() throws {
        let output = try Self.crucible(["sandbox", "run", "--workdir", "/nonexistent/dir", "--", "/bin/true"])
        #expect(output.status == 2)
        #expect(output.stderr.contains("does not exist"))
    }

    @Test func badPolicyFileNamesKeyAndLine() throws {
        let path = NSTemporaryDirectory() + "crucible-bad-policy-\(UUID().uuidString).yaml"
        try "network: none\nlimits:\n  memroy: 1G\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { unlink(path) }
        let output = try Self.crucible(["policy", "show", "--policy", path])
        #expect(output.status == 2)
        #expect(output.stderr.contains("line 3"))
        #expect(output.stderr.contains("limits.memroy"))
    }

    @Test(.enabled(if: isRoot)) func jsonReportHasTheContractKeys() throws {
        let output = try Self.crucible(["sandbox", "run", "--json", "--", "/bin/sh", "-c", "echo hi; exit 4"])
        #expect(output.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        let keys: Set<String> = [
            "status", "exit_code", "signal", "cpu_time_s", "wall_time_s", "peak_memory_bytes", "limits_hit", "stdout",
            "stderr", "stdout_truncated", "stderr_truncated",
        ]
        #expect(Set(object.keys) == keys)
        #expect(object["status"] as? String == "exited")
        #expect(object["exit_code"] as? Int == 4)
        #expect(object["signal"] is NSNull)
        #expect(object["stdout"] as? String == "hi\n")
    }

    @Test(.enabled(if: isRoot)) func withoutJsonTheProgramsExitCodeComesThrough() throws {
        let output = try Self.crucible(["sandbox", "run", "--", "/bin/sh", "-c", "echo out; echo err >&2; exit 7"])
        #expect(output.status == 7)
        #expect(output.stdout == "out\n")
        #expect(output.stderr.contains("err\n"))
    }

    /// 64 is also what the argument parser says for a bad command line, which crucible reports as 2; a
    /// program's own 64 must still come through.
    @Test(.enabled(if: isRoot)) func aProgramsExitCode64IsNotTakenForABadCommandLine() throws {
        #expect(try Self.crucible(["sandbox", "run", "--", "/bin/sh", "-c", "exit 64"]).status == 64)
        #expect(try Self.crucible(["sandbox", "run", "--no-such-flag", "--", "/bin/true"]).status == 2)
    }

    @Test(.enabled(if: isRoot)) func setupFailureExits125() throws {
        let output = try Self.crucible(["sandbox", "run", "--json", "--", "no-such-command-here"])
        #expect(output.status == 125)
        #expect(output.stderr.contains("execve"))
        #expect(output.stderr.contains("no-such-command-here"))
        #expect(output.stdout.isEmpty)
    }

    @Test(.enabled(if: isRoot)) func limitFlagsApply() throws {
        let output = try Self.crucible(["sandbox", "run", "--json", "--wall-time", "300ms", "--", "/bin/sleep", "5"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        #expect(object["status"] as? String == "wall_time_limit")
        #expect((object["limits_hit"] as? [String]) == ["wall_time"])
    }

    @Test func policyShowListsResolvedSyscalls() throws {
        let text = try Self.crucible(["policy", "show"])
        #expect(text.status == 0)
        #expect(text.stdout.contains("io_uring_setup(425)"))
        #expect(text.stdout.contains("default action: errno ENOSYS"))
        let json = try Self.crucible(["policy", "show", "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["network"] as? String == "none")
        #expect((object["capabilities"] as? [Any])?.isEmpty == true)
    }

    @Test(.enabled(if: isRoot)) func benchPrintsItsJSONShape() throws {
        let output = try Self.crucible([
            "sandbox", "bench", "--count", "20", "--parallel", "2", "--json", "--", "/bin/true",
        ])
        #expect(output.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["count", "parallel", "p50_ms", "p95_ms", "per_second", "failures"])
        #expect(object["failures"] as? Int == 0)
        #expect(object["count"] as? Int == 20)
    }

    /// Cgroup directories named for this owner pid, in every hierarchy.
    static func cgroupDirectories(ownedBy pid: Int32) -> [String] {
        let prefix = "crucible-\(pid)-"
        var found: [String] = []
        let enumerator = FileManager.default.enumerator(atPath: "/sys/fs/cgroup")
        while let path = enumerator?.nextObject() as? String {
            if (path as NSString).lastPathComponent.hasPrefix(prefix) { found.append(path) }
        }
        return found
    }

    @Test(.enabled(if: isRoot)) func sandboxRunLeavesNoCgroupBehind() throws {
        // Its runner's deinit and the exit handler may drain the cgroup pool at once; the process must not end
        // before the drain does (it once did, about one run in ten).
        for _ in 0..<20 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Self.executable)
            process.arguments = ["sandbox", "run", "--", "/bin/true"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
            let left = Self.cgroupDirectories(ownedBy: process.processIdentifier)
            #expect(left.isEmpty, "left behind: \(left)")
            if !left.isEmpty { break }
        }
    }

    @Test(.enabled(if: isRoot)) func sigtermToCrucibleLeavesNothing() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = [
            "sandbox", "run", "--wall-time", "60s", "--", "/bin/sh", "-c", "setsid sleep 300 & sleep 300",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        Thread.sleep(forTimeInterval: 1)
        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationStatus == 128 + SIGTERM)
        // The sandbox ran as host uid 2000000 (slot 0 of the default policy): nothing of it may remain.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: "/proc").compactMap(Int32.init).filter {
            pid in
            var info = stat()
            return stat("/proc/\(pid)", &info) == 0 && info.st_uid == 2_000_000
        }
        #expect(leftovers.isEmpty)
    }
}

/// `crucible exec` from outside: exit codes and the job result's shape.
@Suite(.serialized) struct ExecCLITests {
    static let ready = geteuid() == 0 && FileManager.default.fileExists(atPath: "/usr/local/lib/crucible/VERSIONS")

    static func writeTemporary(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "crucible-cli-\(UUID().uuidString).json"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test(
        arguments: [
            (#"{"id": "t1", "scenario": "code-generation", "difficulty": "easy", "prompt": "p"}"#, "language"),
            (
                #"{"id": "t1", "language": "cobol", "scenario": "code-generation", "difficulty": "easy", "prompt": "p"}"#,
                "language"
            ),
            (
                #"{"id": "t1", "language": "python", "scenario": "code-generation", "difficulty": "easy", "prompt": "p", "test_mode": "vibes"}"#,
                "test_mode"
            ),
            (
                #"{"id": "t1", "language": "python", "scenario": "code-generation", "difficulty": "easy", "prompt": "p", "tests": {"../x.py": "x"}}"#,
                "tests"
            ),
            ("not json at all", "not valid JSON"),
        ] as [(String, String)])
    func malformedTasksExitTwoNamingTheField(task: String, field: String) throws {
        let path = try Self.writeTemporary(task)
        defer { unlink(path) }
        let output = try CrucibleCLITests.crucible(["exec", "--task", path, "--reference"])
        #expect(output.status == 2, "\(output.stderr)")
        #expect(output.stderr.contains(field), "\(output.stderr)")
    }

    /// `submit` reads its folders on every core; a bad file still stops it before anything is sent, and the one
    /// named is the first bad one in path order, whichever thread read it.
    @Test func aSubmissionWithBadFilesNamesTheFirstAndSendsNothing() throws {
        let folder = NSTemporaryDirectory() + "crucible-submit-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/tasks", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: folder + "/candidates", withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: "tasks/python") {
            try FileManager.default.copyItem(atPath: "tasks/python/" + name, toPath: folder + "/tasks/" + name)
        }
        try "not json".write(toFile: folder + "/tasks/py-aa-broken.json", atomically: true, encoding: .utf8)
        try "{}".write(toFile: folder + "/tasks/py-zz-broken.json", atomically: true, encoding: .utf8)
        try #"{"task_id": "py-fizzbuzz-easy", "model": "m", "files": {"solution.py": "x = 1\n"}}"#.write(
            toFile: folder + "/candidates/c.json", atomically: true, encoding: .utf8)
        try "cru_test".write(toFile: folder + "/token", atomically: true, encoding: .utf8)
        // Nothing listens on port 1: a submission that got as far as sending would fail to connect instead.
        let output = try CrucibleCLITests.crucible([
            "submit", "--server", "http://127.0.0.1:1", "--token-file", folder + "/token", "--tasks", folder + "/tasks",
            "--candidates", folder + "/candidates",
        ])
        #expect(output.status == 2, "\(output.stderr)")
        #expect(output.stderr.contains("py-aa-broken.json"), "\(output.stderr)")
        #expect(!output.stderr.contains("py-zz-broken.json"), "\(output.stderr)")
        #expect(!output.stderr.contains("127.0.0.1:1"), "\(output.stderr)")
    }

    /// What the control plane would refuse (a file the toolchain keeps for itself) is bad input, before any
    /// sandbox runs: every problem named, exit 2.
    @Test func aCandidateWithAFileTheToolchainReservesIsBadInput() throws {
        let candidate = try Self.writeTemporary(
            #"{"task_id": "py-fizzbuzz-easy", "model": "m", "#
                + #""files": {"solution.py": "x = 1\n", "conftest.py": "", "notes.md": ""}}"#)
        defer { unlink(candidate) }
        let output = try CrucibleCLITests.crucible([
            "exec", "--task", "tasks/python/py-fizzbuzz-easy.json", "--candidate", candidate,
        ])
        #expect(output.status == 2)
        #expect(output.stderr.contains(#"files["conftest.py"]: conftest.py is the toolchain's"#), "\(output.stderr)")
        #expect(output.stderr.contains(#"files["notes.md"]: not a file this task takes"#), "\(output.stderr)")
    }

    @Test func candidateForAnotherTaskIsBadInput() throws {
        let candidate = try Self.writeTemporary(
            #"{"task_id": "other", "model": "m", "files": {"solution.py": "x = 1\n"}}"#)
        defer { unlink(candidate) }
        let output = try CrucibleCLITests.crucible([
            "exec", "--task", "tasks/python/py-fizzbuzz-easy.json", "--candidate", candidate,
        ])
        #expect(output.status == 2)
        #expect(output.stderr.contains("task_id"))
    }

    @Test(.enabled(if: ready)) func referencePassesWithTheContractShape() throws {
        let output = try CrucibleCLITests.crucible([
            "exec", "--task", "tasks/python/py-fizzbuzz-easy.json", "--reference", "--json",
        ])
        #expect(output.status == 0, "\(output.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        let keys: Set<String> = [
            "task_id", "model", "verdict", "error", "steps", "tests", "tests_passed", "tests_total", "findings",
            "usage",
            "score",
        ]
        #expect(Set(object.keys) == keys)
        #expect(object["verdict"] as? String == "passed")
        #expect(object["error"] is NSNull)
        let steps = try #require(object["steps"] as? [[String: Any]])
        #expect(steps.map { $0["name"] as? String } == ["build", "test", "quality"])
    }

    @Test(.enabled(if: ready)) func aWrongAnswerExitsOne() throws {
        let output = try CrucibleCLITests.crucible([
            "exec", "--task", "tasks/python/py-fizzbuzz-easy.json", "--candidate",
            "tasks/candidates/off-by-one/python/py-fizzbuzz-easy.json",
        ])
        #expect(output.status == 1)
        #expect(output.stdout.contains("failed"))
    }
}

/// `crucible tasks import humaneval`, from outside: problems and their candidates, then judged. In the
/// serialized exec suite: `crucible exec` uses sandbox slot 0 like the others.
extension ExecCLITests {
    static let problems =
        [
            #"{"task_id": "HumanEval/0", "prompt": "def add(a, b):\n    \"\"\"Add.\"\"\"\n", "canonical_solution": "    return a + b\n", "test": "def check(candidate):\n    assert candidate(2, 3) == 5\n", "entry_point": "add"}"#,
            #"{"task_id": "HumanEval/1", "prompt": "def neg(a):\n", "canonical_solution": "    return -a\n", "test": "def check(candidate):\n    assert candidate(4) == -4\n", "entry_point": "neg"}"#,
        ].joined(separator: "\n") + "\n"

    @Test(.enabled(if: ready)) func importedProblemsAndTheirSamplesAreJudged() throws {
        let directory = NSTemporaryDirectory() + "crucible-humaneval-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Self.problems.write(toFile: directory + "/HumanEval.jsonl", atomically: true, encoding: .utf8)
        // Two samples of problem 0 (one wrong), none of problem 1.
        let samples =
            #"{"task_id": "HumanEval/0", "completion": "    return a + b\n"}"# + "\n"
            + #"{"task_id": "HumanEval/0", "completion": "    return a - b\n"}"# + "\n"
        try samples.write(toFile: directory + "/model-x.jsonl", atomically: true, encoding: .utf8)

        let imported = try CrucibleCLITests.crucible([
            "tasks", "import", "humaneval", directory + "/HumanEval.jsonl", "--out", directory + "/tasks",
            "--candidates", directory + "/candidates", "--samples", directory + "/model-x.jsonl",
        ])
        #expect(imported.status == 0, "\(imported.stderr)")
        let written = try FileManager.default.contentsOfDirectory(atPath: directory + "/candidates").sorted()
        #expect(written == ["humaneval-0-0.json", "humaneval-0-1.json"])

        let task = directory + "/tasks/humaneval-0.json"
        let right = try CrucibleCLITests.crucible([
            "exec", "--task", task, "--candidate", directory + "/candidates/humaneval-0-0.json", "--json",
        ])
        #expect(right.status == 0, "\(right.stderr)")
        #expect(right.stdout.contains(#""model":"model-x""#) || right.stdout.contains(#""model" : "model-x""#))
        let wrong = try CrucibleCLITests.crucible([
            "exec", "--task", task, "--candidate", directory + "/candidates/humaneval-0-1.json",
        ])
        #expect(wrong.status == 1, "the wrong sample fails: \(wrong.stdout)")
    }

    @Test func aSampleOfAnUnknownProblemChangesNothing() throws {
        let directory = NSTemporaryDirectory() + "crucible-humaneval-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Self.problems.write(toFile: directory + "/HumanEval.jsonl", atomically: true, encoding: .utf8)
        try (#"{"task_id": "HumanEval/99", "completion": "    pass\n"}"# + "\n").write(
            toFile: directory + "/s.jsonl", atomically: true, encoding: .utf8)
        let output = try CrucibleCLITests.crucible([
            "tasks", "import", "humaneval", directory + "/HumanEval.jsonl", "--out", directory + "/tasks",
            "--candidates", directory + "/candidates", "--samples", directory + "/s.jsonl",
        ])
        #expect(output.status == 2)
        #expect(output.stderr.contains("line 1.task_id") && output.stderr.contains("HumanEval/99"), "\(output.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory + "/tasks"), "no task was written")
        #expect(!FileManager.default.fileExists(atPath: directory + "/candidates"))
    }
}

/// `crucible images` and a policy's `image`, from outside.
@Suite struct ImagesCLITests {

    @Test func imagesListShowsHostAndTheDefinitions() throws {
        let output = try CrucibleCLITests.crucible(["images", "list"])
        #expect(output.status == 0, "\(output.stderr)")
        let names = output.stdout.split(separator: "\n").dropFirst().compactMap {
            $0.split(separator: " ").first.map(String.init)
        }
        #expect(names.first == "host")
        #expect(names.contains("bookworm") && names.contains("bookworm-python"), "\(output.stdout)")
        let json = try CrucibleCLITests.crucible(["images", "list", "--json"])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(rows.first?["kind"] as? String == "host" && rows.first?["state"] as? String == "host")
    }

    @Test func buildingAnUnknownImageIsBadInput() throws {
        let output = try CrucibleCLITests.crucible(["images", "build", "no-such-image"])
        #expect(output.status == 2)
        #expect(output.stderr.contains("no image 'no-such-image'"), "\(output.stderr)")
        let host = try CrucibleCLITests.crucible(["images", "build", "host"])
        #expect(host.status == 0 && host.stdout.contains("nothing to build"))
    }

    /// A policy naming an image this node has not built: `policy show` says so, a sandbox is refused
    /// (exit 2) with the command that builds it.
    @Test func aPolicyOnAnImageThatIsNotBuilt() throws {
        let path = NSTemporaryDirectory() + "crucible-image-policy-\(UUID().uuidString).yaml"
        try "image: never-built-here\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { unlink(path) }
        let show = try CrucibleCLITests.crucible(["policy", "show", "--policy", path])
        #expect(show.status == 0, "\(show.stderr)")
        #expect(show.stdout.contains("image: never-built-here (NOT BUILT"), "\(show.stdout.prefix(300))")
        let json = try CrucibleCLITests.crucible(["policy", "show", "--policy", path, "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect((object["image_status"] as? [String: Any])?["state"] as? String == "not_built")
        guard CrucibleCLITests.isRoot else { return }
        let run = try CrucibleCLITests.crucible(["sandbox", "run", "--policy", path, "--", "/bin/true"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("crucible images build never-built-here"), "\(run.stderr)")
        let exec = try CrucibleCLITests.crucible([
            "exec", "--policy", path, "--task", "tasks/python/py-fizzbuzz-easy.json", "--reference",
        ])
        #expect(exec.status == 2)
        #expect(exec.stderr.contains("crucible images build never-built-here"), "\(exec.stderr)")
    }

    @Test func aPolicyWithAPathForAnImageNamesTheLine() throws {
        let path = NSTemporaryDirectory() + "crucible-image-policy-\(UUID().uuidString).yaml"
        try "network: none\nimage: /srv/rootfs\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { unlink(path) }
        let output = try CrucibleCLITests.crucible(["policy", "show", "--policy", path])
        #expect(output.status == 2)
        #expect(output.stderr.contains("line 2") && output.stderr.contains("image"), "\(output.stderr)")
    }
}
