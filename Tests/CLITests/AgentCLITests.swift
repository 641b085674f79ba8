import Foundation
import Testing

/// `crucible agent` from outside: bad input exits 2 naming the flag; `--check` reports line by line.
/// Serialized, and each process waited for on a thread of its own: a blocking wait on the test run's few
/// cooperative threads would stall every other suite's tasks meanwhile.
/// In the serialized CLI suite: `--check` runs sandboxes in the slots the other CLI tests use.
extension CrucibleCLITests {
    static func crucibleOffPool(_ arguments: [String]) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try crucible(arguments) }) }.start()
        }
    }

    @Test(arguments: [
        (["agent", "--slots", "0", "--control-plane", "http://127.0.0.1:1"], "--slots 0"),
        (["agent"], "--control-plane"),
        (["agent", "--control-plane", "http://127.0.0.1:1", "--slot-base", "-3"], "--slot-base"),
        (["agent", "--control-plane", "http://127.0.0.1:1", "--labels", "no pair"], "--labels"),
        (["agent", "--control-plane", "http://127.0.0.1:1", "--token-file", "/nonexistent/token"], "--token-file"),
        (["agent", "--control-plane", "http://127.0.0.1:1", "--metrics-listen", "nonsense"], "--metrics-listen"),
    ])
    func badInputExitsTwoNamingTheFlag(arguments: [String], flag: String) async throws {
        let output = try await Self.crucibleOffPool(arguments)
        #expect(output.status == 2, "\(arguments): \(output.stderr)")
        #expect(output.stderr.contains(flag), "\(output.stderr)")
    }

    @Test func aBadControlPlaneURLExitsTwo() async throws {
        let token = FileManager.default.temporaryDirectory.appendingPathComponent("agent-cli-\(UUID().uuidString)")
        try "token\n".write(to: token, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: token) }
        let output = try await Self.crucibleOffPool([
            "agent", "--control-plane", "localhost:8080", "--token-file", token.path, "--slot-base", "7600",
            "--spool", FileManager.default.temporaryDirectory.appendingPathComponent("agent-cli-spool").path,
        ])
        #expect(output.status == 2, "\(output.stderr)")
        #expect(output.stderr.contains("not a control plane URL"), "\(output.stderr)")
    }

    @Test(.enabled(if: Self.isRoot)) func checkReportsEachPrerequisiteAndTheProbes() async throws {
        // Slots far from the other suites': the probes run as those slots' host uids.
        let output = try await Self.crucibleOffPool(["agent", "--check", "--slot-base", "7700"])
        #expect(output.status == 0, "\(output.stdout)\n\(output.stderr)")
        for check in ["root", "user namespaces", "cgroups", "libseccomp", "runtime directory", "sandbox"] {
            #expect(output.stdout.contains("ok   \(check): "), "\(check) in \(output.stdout)")
        }
        #expect(output.stdout.contains("probes contained"))
    }
}
