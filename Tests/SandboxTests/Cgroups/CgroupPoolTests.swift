import Foundation
import Testing

@testable import Sandbox

/// The pool against the fake v2 tree: cgroups made ahead of time, each used once, removed after.
@Suite struct CgroupPoolTests {
    let limits = CgroupLimits(memory: 256 << 20, pids: 32, cpuCores: 1.5, cpuWeight: 200)

    static func sandboxes(_ tree: FakeCgroupTree) -> Set<String> {
        Set(tree.listDirectory(tree.root + "/crucible.sandboxes").filter { $0.hasPrefix(CgroupNaming.prefix) })
    }

    static func pool(_ tree: FakeCgroupTree) throws -> CgroupPool {
        let hierarchy = CgroupHierarchy(mountPoint: tree.root, ownPath: "/")
        return CgroupPool(driver: try CgroupV2Driver(hierarchy: hierarchy, fileSystem: tree))
    }

    static func eventually(_ condition: () -> Bool) -> Bool {
        for _ in 0..<500 where !condition() { usleep(10_000) }
        return condition()
    }

    @Test func makesSparesAheadAndNeverHandsOneOutTwice() throws {
        let tree = try FakeCgroupTree()
        let pool = try Self.pool(tree)
        defer { pool.stop() }

        let first = try pool.take(limits)  // nothing spare yet: made on the spot, with its limits
        #expect(first.cloneDirectoryFD >= 0)
        #expect(Self.eventually { Self.sandboxes(tree).count == 1 + CgroupPool.spares }, "spares for these limits")
        let second = try pool.take(limits)
        #expect(second.cloneDirectoryFD != first.cloneDirectoryFD)
        let writes = tree.recordedWrites.filter { $0.0.hasSuffix("/pids.max") }
        #expect(writes.count >= 2 && writes.allSatisfy { $0.1 == "33" }, "every spare has the limits asked for")

        // Given back: removed by the pool's thread, and never handed out again.
        pool.giveBack(first)
        pool.giveBack(second)
        #expect(Self.eventually { Self.sandboxes(tree).count == CgroupPool.spares })
        var handedOut: [String] = []
        for _ in 0..<6 {
            let cgroup = try pool.take(limits)
            let path = try #require(cgroup as? CgroupV2).path
            #expect(!handedOut.contains(path), "each cgroup serves one sandbox")
            handedOut.append(path)
            pool.giveBack(cgroup)
        }
        // Draining removes every spare and everything given back.
        pool.drain()
        #expect(Self.sandboxes(tree).isEmpty)
    }

    @Test func aStoppedPoolMakesAndRemovesOnTheSpot() throws {
        let tree = try FakeCgroupTree()
        let pool = try Self.pool(tree)
        _ = try pool.take(limits).remove()
        #expect(Self.eventually { Self.sandboxes(tree).count == CgroupPool.spares })
        pool.stop()
        #expect(Self.sandboxes(tree).isEmpty, "stopping removes the spares")
        let late = try pool.take(limits)
        #expect(Self.sandboxes(tree).count == 1)
        pool.giveBack(late)
        #expect(Self.sandboxes(tree).isEmpty, "removed at once")
    }

    @Test func keepsSparesOnlyForTheLimitsLastAskedFor() throws {
        let tree = try FakeCgroupTree()
        let pool = try Self.pool(tree)
        defer { pool.stop() }
        for pids in 1...(CgroupPool.limitSets + 2) {
            try pool.take(CgroupLimits(memory: 1 << 30, pids: pids, cpuCores: 1, cpuWeight: 100)).remove()
        }
        #expect(
            Self.eventually { Self.sandboxes(tree).count == CgroupPool.limitSets * CgroupPool.spares },
            "\(Self.sandboxes(tree).count) spares")
    }
}
