import Foundation
import Testing

@testable import Sandbox

/// The v1 driver against a fake tree of five hierarchies: a cgroup's memory directory serves one sandbox; the
/// other hierarchies' directories may serve the next, with their counters started afresh.
@Suite struct CgroupV1DriverTests {
    let limits = CgroupLimits(memory: 256 << 20, pids: 32, cpuCores: 1.5, cpuWeight: 200)

    static func sandboxDirectories(_ tree: FakeCgroupTree, _ controller: String) -> Set<String> {
        Set(tree.listDirectory(tree.root + "/" + controller + "/crucible"))
    }

    @Test func aRetiredCgroupLendsAllButItsMemoryDirectoryToTheNext() throws {
        let (tree, hierarchies) = try FakeCgroupTree.v1()
        let driver = try CgroupV1Driver(hierarchies: hierarchies, fileSystem: tree)
        let first = try #require(try driver.create(name: "crucible-1-1", limits: limits) as? CgroupV1)
        #expect(first.taskDescriptors.count == 5, "a tasks file per hierarchy")
        // What the first sandbox left in the counters.
        try tree.set(try #require(first.directories["cpuacct"]) + "/cpuacct.usage", "5000000")
        try tree.set(try #require(first.directories["pids"]) + "/pids.events", "max 3\n")
        #expect(first.usage().pidsLimitHits == 3)

        let remnant = try #require(try first.retire())
        #expect(Set(remnant.directories.keys) == ["pids", "cpu", "cpuacct", "freezer"])
        #expect(first.taskDescriptors.isEmpty)
        #expect(Self.sandboxDirectories(tree, "memory").isEmpty, "the memory directory goes with its sandbox")
        #expect(Self.sandboxDirectories(tree, "pids") == ["crucible-1-1"])

        let keptTasks = remnant.descriptors.filter { $0.key.hasSuffix("/tasks") }
        #expect(keptTasks.count == 4, "the tasks files stay open with the directories they are in")
        let keptCounters: Set<String> = [
            try #require(first.directories["cpuacct"]) + "/cpuacct.usage",
            try #require(first.directories["pids"]) + "/pids.events",
        ]
        let keptOthers = Set(remnant.descriptors.keys).subtracting(keptTasks.keys)
        #expect(keptOthers == keptCounters, "and the counters; the memory ones close")
        #expect(remnant.limits == limits)

        let second = try #require(
            try driver.create(name: "crucible-1-2", limits: limits, reusing: remnant) as? CgroupV1)
        #expect(second.directories["memory"] == tree.root + "/memory/crucible/crucible-1-2")
        #expect(second.directories["pids"] == first.directories["pids"])
        #expect(Set(second.all) == Set(remnant.directories.values).union([tree.root + "/memory/crucible/crucible-1-2"]))
        #expect(second.taskDescriptors.count == 5)
        #expect(Set(keptTasks.values).isSubset(of: second.taskDescriptors), "not opened again")
        let pidsMax = try #require(second.directories["pids"]) + "/pids.max"
        #expect(tree.recordedWrites.filter { $0.0 == pidsMax }.count == 1, "the same limits are not written again")
        #expect(second.cpuNanoseconds() == 0, "CPU time starts at zero")
        #expect(second.usage().pidsLimitHits == 0, "the pids limit's hits count from the hand-over")
        try tree.set(try #require(second.directories["pids"]) + "/pids.events", "max 5\n")
        #expect(second.usage().pidsLimitHits == 2)
        #expect(tree.lastWrite(to: try #require(second.directories["pids"]) + "/pids.max") == "33")
        // Counters read through descriptors kept open are read afresh, from their start.
        try tree.set(try #require(second.directories["cpuacct"]) + "/cpuacct.usage", "7000")
        try tree.set(try #require(second.directories["memory"]) + "/memory.max_usage_in_bytes", "123456789")
        try tree.set(try #require(second.directories["memory"]) + "/memory.oom_control", "under_oom 0\noom_kill 1\n")
        let usage = second.usage()
        #expect(usage.cpuNanoseconds == 7000)
        #expect(usage.peakMemoryBytes == 123_456_789)
        #expect(usage.oomKills == 1)
        try tree.set(try #require(second.directories["memory"]) + "/memory.max_usage_in_bytes", "42")
        #expect(second.usage().peakMemoryBytes == 42, "a shorter text than the last read's")

        // Removing it removes every hierarchy's directory, the reused ones included.
        try second.remove()
        for controller in CgroupV1Driver.requiredControllers {
            #expect(Self.sandboxDirectories(tree, controller).isEmpty, "\(controller)")
        }
    }

    @Test func aRemnantGivenOtherLimitsHasThemWritten() throws {
        let (tree, hierarchies) = try FakeCgroupTree.v1()
        let driver = try CgroupV1Driver(hierarchies: hierarchies, fileSystem: tree)
        let remnant = try #require(try driver.create(name: "crucible-1-1", limits: limits).retire())
        let tighter = CgroupLimits(memory: 64 << 20, pids: 8, cpuCores: 0.5, cpuWeight: 50)
        let cgroup = try #require(
            try driver.create(name: "crucible-1-2", limits: tighter, reusing: remnant) as? CgroupV1)
        defer { try? cgroup.remove() }
        func written(_ controller: String, _ file: String) throws -> String? {
            tree.lastWrite(to: try #require(cgroup.directories[controller]) + "/" + file)
        }
        #expect(try written("memory", "memory.limit_in_bytes") == String(64 << 20))
        #expect(try written("pids", "pids.max") == "9")
        #expect(try written("cpu", "cpu.cfs_quota_us") == "50000")
        #expect(try written("cpu", "cpu.shares") == "512")
    }

    @Test func aFrozenCgroupIsRemovedNotLent() throws {
        let (tree, hierarchies) = try FakeCgroupTree.v1()
        let driver = try CgroupV1Driver(hierarchies: hierarchies, fileSystem: tree)
        let cgroup = try #require(try driver.create(name: "crucible-1-1", limits: limits) as? CgroupV1)
        try tree.set(try #require(cgroup.directories["freezer"]) + "/freezer.state", "FROZEN\n")
        #expect(try cgroup.retire() == nil)
        for controller in CgroupV1Driver.requiredControllers {
            #expect(Self.sandboxDirectories(tree, controller).isEmpty, "\(controller)")
        }
    }

    @Test func aDiscardedRemnantLeavesNothing() throws {
        let (tree, hierarchies) = try FakeCgroupTree.v1()
        let driver = try CgroupV1Driver(hierarchies: hierarchies, fileSystem: tree)
        let remnant = try #require(try driver.create(name: "crucible-1-1", limits: limits).retire())
        remnant.discard()
        for controller in CgroupV1Driver.requiredControllers {
            #expect(Self.sandboxDirectories(tree, controller).isEmpty, "\(controller)")
        }
        #expect(Set(driver.parentDirectories) == Set(hierarchies.values.map { $0.mountPoint + "/crucible" }))
    }

    @Test func thePoolReusesRemnantsAndDrainsEveryHierarchy() throws {
        let (tree, hierarchies) = try FakeCgroupTree.v1()
        let pool = CgroupPool(driver: try CgroupV1Driver(hierarchies: hierarchies, fileSystem: tree))
        defer { pool.stop() }
        var memoryDirectories: Set<String> = []
        for _ in 0..<12 {
            let cgroup = try #require(try pool.take(limits) as? CgroupV1)
            let memory = try #require(cgroup.directories["memory"])
            #expect(!memoryDirectories.contains(memory), "a memory directory serves one sandbox")
            memoryDirectories.insert(memory)
            pool.giveBack(cgroup)
        }
        // Remnants went into the spares: fewer pids directories were ever made than memory ones.
        let pidsMade = Set(tree.recordedWrites.map(\.0).filter { $0.hasSuffix("/pids.max") })
        #expect(pidsMade.count < memoryDirectories.count, "\(pidsMade.count) pids directories")
        #expect(
            CgroupPoolTests.eventually { Self.sandboxDirectories(tree, "memory").count == CgroupPool.spares })
        pool.drain()
        for controller in CgroupV1Driver.requiredControllers {
            #expect(Self.sandboxDirectories(tree, controller).isEmpty, "\(controller)")
        }
    }
}
