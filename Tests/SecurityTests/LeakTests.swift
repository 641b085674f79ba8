import Foundation
import Glibc
import Testing

@testable import Sandbox

/// 2,000 sandboxes back to back: the host must end exactly as it began. Run on its own
/// (`make test` does: `swift test --filter LeakTests`), since other tests' sandboxes would blur the counts.
@Suite(.enabled(if: Security.isRoot, "needs root to build sandboxes"), .serialized)
struct LeakTests {
    struct Counts: Equatable {
        var processes: Int
        var cgroups: Int
        var mounts: Int
        var descriptors: Int
        var threads: Int
    }

    static func counts(_ runner: SandboxRunner) -> Counts {
        let fileManager = FileManager.default
        let spawner = runner.spawner.processID
        let processes = ((try? fileManager.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { Int32($0) }
            .filter { isOurs($0, spawner: spawner) }.count
        // This process's cgroups only: another crucible on the machine (an operator's `up`) has its own.
        let ownPrefix = "\(CgroupNaming.prefix)\(getpid())-"
        // In every hierarchy: on v1 all but memory's directories may outlive their sandbox (as remnants).
        let cgroups = runner.cgroups.parentDirectories.map { parent in
            ((try? fileManager.contentsOfDirectory(atPath: parent)) ?? []).filter { $0.hasPrefix(ownPrefix) }.count
        }.reduce(0, +)
        let mounts = (readWholeFile("/proc/self/mountinfo") ?? "").split(separator: "\n").count
        let descriptors = ((try? fileManager.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).count
        let threads = ((try? fileManager.contentsOfDirectory(atPath: "/proc/self/task")) ?? []).count
        return Counts(
            processes: processes, cgroups: cgroups, mounts: mounts, descriptors: descriptors, threads: threads)
    }

    /// This process's children (the spawner), the spawner's (sandbox inits, zombies included) and anything
    /// running as the sandboxes' host uids: other processes on the machine come and go on their own.
    static func isOurs(_ pid: Int32, spawner: pid_t?) -> Bool {
        let statLine = readWholeFile("/proc/\(pid)/stat") ?? ""
        let fields = statLine.split(separator: ")").last?.split(separator: " ") ?? []
        let parent: Int32? = fields.count > 1 ? Int32(fields[1]) : nil
        var info = Glibc.stat()
        let uid: UInt32 = lstat("/proc/\(pid)", &info) == 0 ? info.st_uid : 0
        let base: UInt32 = 2_000_000
        return parent == getpid() || (spawner != nil && parent == spawner) || (uid >= base && uid < base + 1000)
    }

    @Test func twoThousandSandboxesLeaveNothingBehind() async throws {
        let runner = try Security.requireRunner()
        let policy = try PolicyLoader.defaultPolicy()
        // Warm up: the runner builds its caches and the runtime its threads.
        _ = try runner.runBlocking(SandboxRequest(command: ["/bin/true"], policy: policy, slot: 900))
        try await Task.sleep(for: .milliseconds(200))
        let before = Self.counts(runner)
        #expect(runner.spawner.processID != nil, "the spawner runs (and is counted) from the warm-up on")

        let report = try await SandboxBenchmark(runner: runner, policy: policy, command: ["/bin/true"])
            .run(count: 2000, parallel: 2)
        #expect(report.failures == 0)

        // The pool's spares are not leftovers: they go when the runner does. Everything given back goes now.
        runner.cgroupPool.drain()
        // Threads that ran the sandboxes may take a moment to finish exiting.
        var after = Self.counts(runner)
        for _ in 0..<50 where after != before {
            try await Task.sleep(for: .milliseconds(100))
            after = Self.counts(runner)
        }
        #expect(after.processes <= before.processes, "host processes grew: \(before) -> \(after)")
        #expect(after.cgroups == 0)
        #expect(after.mounts == before.mounts)
        #expect(after.descriptors <= before.descriptors, "descriptors grew: \(before) -> \(after)")
        #expect(after.threads <= before.threads + 2)
        #expect(LiveSandboxes.shared.count == 0)
    }
}
