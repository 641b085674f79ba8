import Foundation
import Logging
import Synchronization

@testable import Sandbox

/// What the host looks like from outside every sandbox: after a hostile program has run, none of
/// it may be left, and nothing of the host may have changed.
struct HostSnapshot: Equatable {
    var mounts: Int
    var sharedMemorySegments: Int

    static func take() -> HostSnapshot {
        HostSnapshot(
            // Job workspaces are host mounts by design (other suites evaluate jobs meanwhile); a
            // sandbox itself must never add one.
            mounts: (readWholeFile("/proc/self/mountinfo") ?? "").split(separator: "\n")
                .filter { !$0.contains("/run/crucible/work/") && !$0.contains("crucible-ws-") }.count,
            sharedMemorySegments: PolicyChecker.hostSharedMemorySegments())
    }
}

enum Security {
    static let isRoot = geteuid() == 0
    static let runner: SandboxRunner? = try? SandboxRunner(logger: Logger(label: "crucible.security-tests"))
    private static let slots = Atomic<Int>(1000)

    static func slot() -> Int { slots.add(1, ordering: .relaxed).newValue }

    static func requireRunner() throws -> SandboxRunner {
        guard let runner else { throw SecurityFailure("these tests need root to build sandboxes") }
        return runner
    }

    static var crucibleExecutable: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("crucible")
            .path
    }

    /// Runs a hostile shell program and checks the host afterwards: no process of the sandbox's uid
    /// remains, no System V segment outlived it, the host's mount table is unchanged.
    static func runHostile(
        _ script: String, adjust: (inout SandboxPolicy) -> Void = { _ in }, workdir: String? = nil, slot: Int? = nil
    ) async throws -> SandboxResult {
        var policy = try PolicyLoader.defaultPolicy()
        policy.limits = policy.limits.tightened(by: PolicyChecker.probeLimits)
        adjust(&policy)
        let request = SandboxRequest(
            command: ["/bin/sh", "-c", script], policy: policy, workdir: workdir, slot: slot ?? Self.slot())
        let before = HostSnapshot.take()
        let result = try await requireRunner().run(request)
        let leftovers = PolicyChecker.hostProcesses(uid: request.hostUID)
        guard leftovers.isEmpty else { throw SecurityFailure("processes of the sandbox's uid remain: \(leftovers)") }
        let after = HostSnapshot.take()
        guard after.mounts <= before.mounts else {
            throw SecurityFailure("host mounts grew \(before.mounts) -> \(after.mounts)")
        }
        guard after.sharedMemorySegments <= before.sharedMemorySegments else {
            throw SecurityFailure("a System V segment outlived the sandbox")
        }
        return result
    }
}

struct SecurityFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
