import Foundation
import Logging
import Synchronization

@testable import Sandbox

/// Shared pieces of the sandbox tests.
enum TestSupport {
    /// Tests that build real sandboxes need root (CI runs as root).
    static let isRoot = geteuid() == 0

    /// One runner for the whole test process, as in production.
    static let runner: SandboxRunner? = try? SandboxRunner(logger: Logger(label: "crucible.tests"))

    static func requireRunner() throws -> SandboxRunner {
        guard let runner else { throw TestFailure("this test needs root to build sandboxes") }
        return runner
    }

    static func defaultPolicy() throws -> SandboxPolicy {
        try PolicyLoader.defaultPolicy()
    }

    private static let slots = Atomic<Int>(10)

    /// A slot (so a host uid) no other test uses at the same time.
    static func freshSlot() -> Int {
        slots.add(1, ordering: .relaxed).newValue
    }

    /// The `crucible` executable built next to this test bundle.
    static var crucibleExecutable: String {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        return bundle.appendingPathComponent("crucible").path
    }

    static func temporaryDirectory(_ name: String) throws -> String {
        let path = NSTemporaryDirectory() + "crucible-test-\(name)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Runs a shell command line in a sandbox of the default policy, with some limits overridden.
    static func run(
        _ script: String, slot: Int? = nil, workdir: String? = nil, stdin: SandboxRequest.Input = .none,
        split: StageSplit? = nil, adjust: (inout SandboxPolicy) -> Void = { _ in }
    ) async throws -> SandboxResult {
        var policy = try defaultPolicy()
        adjust(&policy)
        var request = SandboxRequest(
            command: ["/bin/sh", "-c", script], policy: policy, workdir: workdir, stdin: stdin,
            slot: slot ?? freshSlot())
        request.split = split
        return try await requireRunner().run(request)
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
