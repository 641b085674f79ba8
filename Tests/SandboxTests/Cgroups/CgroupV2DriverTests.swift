import Foundation
import Testing

@testable import Sandbox

/// The v2 driver against a fake tree: this machine's cgroups are v1, but nodes with v2 run this code.
@Suite struct CgroupV2DriverTests {
    let limits = CgroupLimits(memory: 256 << 20, pids: 32, cpuCores: 1.5, cpuWeight: 200)

    @Test func delegatesFromAServiceCgroup() throws {
        let tree = try FakeCgroupTree()
        let service = tree.root + "/system.slice/crucible.service"
        try FileManager.default.createDirectory(atPath: service, withIntermediateDirectories: true)
        for (name, content) in FakeCgroupTree.interfaceFiles { try tree.set(service + "/" + name, content) }
        try tree.set(service + "/cgroup.procs", "\(getpid())\n")

        let hierarchy = CgroupHierarchy(mountPoint: tree.root, ownPath: "/system.slice/crucible.service")
        let driver = try CgroupV2Driver(hierarchy: hierarchy, fileSystem: tree)
        // crucible moves itself out of the way, then hands the controllers down.
        #expect(tree.lastWrite(to: service + "/crucible.supervisor/cgroup.procs") == String(getpid()))
        #expect(tree.lastWrite(to: service + "/cgroup.subtree_control") == "+memory +pids +cpu")
        #expect(tree.lastWrite(to: service + "/crucible.sandboxes/cgroup.subtree_control") == "+memory +pids +cpu")
        #expect(driver.location == service + "/crucible.sandboxes")
    }

    @Test func writesEveryLimit() throws {
        let tree = try FakeCgroupTree()
        let driver = try CgroupV2Driver(
            hierarchy: CgroupHierarchy(mountPoint: tree.root, ownPath: "/"), fileSystem: tree)
        let group = try driver.create(name: "crucible-1-1", limits: limits)
        defer { try? group.remove() }
        let path = tree.root + "/crucible.sandboxes/crucible-1-1"
        #expect(tree.lastWrite(to: path + "/memory.max") == String(256 << 20))
        #expect(tree.lastWrite(to: path + "/memory.swap.max") == "0")
        // The sandbox's init is one more process than the program may have.
        #expect(tree.lastWrite(to: path + "/pids.max") == "33")
        #expect(tree.lastWrite(to: path + "/cpu.max") == "150000 100000")
        #expect(tree.lastWrite(to: path + "/cpu.weight") == "200")
        #expect(group.cloneDirectoryFD >= 0)
        // The root cgroup may keep processes, so nothing moves.
        #expect(!tree.recordedWrites.contains { $0.0.hasSuffix("crucible.supervisor/cgroup.procs") })
    }

    @Test func readsUsageAndLimitEvents() throws {
        let tree = try FakeCgroupTree()
        let driver = try CgroupV2Driver(
            hierarchy: CgroupHierarchy(mountPoint: tree.root, ownPath: "/"), fileSystem: tree)
        let group = try driver.create(name: "crucible-1-2", limits: limits)
        defer { try? group.remove() }
        let path = tree.root + "/crucible.sandboxes/crucible-1-2"
        try tree.set(path + "/cpu.stat", "usage_usec 1500000\nuser_usec 1000000\nsystem_usec 500000\n")
        try tree.set(path + "/memory.peak", "73400320\n")
        try tree.set(path + "/memory.events", "low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\n")
        try tree.set(path + "/pids.events", "max 4\n")
        let usage = group.usage()
        #expect(usage.cpuNanoseconds == 1_500_000_000)
        #expect(usage.peakMemoryBytes == 73_400_320)
        #expect(usage.oomKills == 1)
        #expect(usage.pidsLimitHits == 4)
    }

    @Test func killsThroughCgroupKillAndRemoves() throws {
        let tree = try FakeCgroupTree()
        let driver = try CgroupV2Driver(
            hierarchy: CgroupHierarchy(mountPoint: tree.root, ownPath: "/"), fileSystem: tree)
        let group = try driver.create(name: "crucible-1-3", limits: limits)
        let path = tree.root + "/crucible.sandboxes/crucible-1-3"
        group.killAll()
        #expect(tree.lastWrite(to: path + "/cgroup.kill") == "1")
        try group.remove()
        #expect(!FileManager.default.fileExists(atPath: path))
        try group.remove()  // removing twice is harmless
    }

    @Test func fallsBackToFreezeWithoutCgroupKill() throws {
        let tree = try FakeCgroupTree()
        let driver = try CgroupV2Driver(
            hierarchy: CgroupHierarchy(mountPoint: tree.root, ownPath: "/"), fileSystem: tree)
        let group = try driver.create(name: "crucible-1-4", limits: limits)
        let path = tree.root + "/crucible.sandboxes/crucible-1-4"
        try FileManager.default.removeItem(atPath: path + "/cgroup.kill")
        // A pid that cannot exist: the driver must freeze, signal, thaw.
        try tree.set(path + "/cgroup.procs", "2147483000\n")
        group.killAll()
        let freezes = tree.recordedWrites.filter { $0.0 == path + "/cgroup.freeze" }.map(\.1)
        #expect(freezes == ["1", "0"])
        try tree.set(path + "/cgroup.procs", "")
        try group.remove()
    }

    @Test func sweepsWhatADeadProcessLeft() throws {
        let tree = try FakeCgroupTree()
        let driver = try CgroupV2Driver(
            hierarchy: CgroupHierarchy(mountPoint: tree.root, ownPath: "/"), fileSystem: tree)
        // pid 2147483000 is above pid_max: that owner is certainly dead.
        _ = try driver.create(name: "crucible-2147483000-1", limits: limits)
        let mine = try driver.create(name: "crucible-\(getpid())-9", limits: limits)
        driver.sweepStale()
        #expect(!FileManager.default.fileExists(atPath: tree.root + "/crucible.sandboxes/crucible-2147483000-1"))
        #expect(FileManager.default.fileExists(atPath: tree.root + "/crucible.sandboxes/crucible-\(getpid())-9"))
        try mine.remove()
    }

    @Test func detectorPrefersV2WithControllers() throws {
        let tree = try FakeCgroupTree()
        try FileManager.default.createDirectory(atPath: tree.root + "/proc/self", withIntermediateDirectories: true)
        // The detector reads /proc/self/{mountinfo,cgroup} through the file system it is given.
        final class Rooted: CgroupFileSystem {
            let tree: FakeCgroupTree
            init(_ tree: FakeCgroupTree) { self.tree = tree }
            func map(_ path: String) -> String { path.hasPrefix("/proc/") ? tree.root + path : path }
            func makeDirectory(_ path: String) -> Int32 { tree.makeDirectory(path) }
            func removeDirectory(_ path: String) -> Int32 { tree.removeDirectory(path) }
            func write(_ path: String, _ text: String) throws { try tree.write(path, text) }
            func read(_ path: String) throws -> String { try tree.read(map(path)) }
            func exists(_ path: String) -> Bool { tree.exists(path) }
            func listDirectory(_ path: String) -> [String] { tree.listDirectory(path) }
            func openDirectory(_ path: String) -> Int32 { tree.openDirectory(path) }
        }
        try tree.set(tree.root + "/proc/self/mountinfo", "25 20 0:22 / \(tree.root) rw - cgroup2 cgroup2 rw\n")
        try tree.set(tree.root + "/proc/self/cgroup", "0::/\n")
        let driver = try CgroupDetector.driver(fileSystem: Rooted(tree))
        #expect(driver.version == .v2)
    }
}
