import Foundation
import Synchronization

@testable import Sandbox

/// A cgroup tree in a temporary directory that behaves like the kernel's where the drivers can tell: mkdir
/// creates a cgroup's interface files, rmdir removes them, and every write is recorded. A v2 tree by default;
/// `v1()` makes one with a hierarchy per controller, each a directory under `root`.
final class FakeCgroupTree: CgroupFileSystem {
    let root: String
    /// The files every cgroup of this tree has, with their initial contents.
    let interfaceFiles: [String: String]
    private let writes = Mutex<[(String, String)]>([])

    /// Interface files a new v2 cgroup has, with their initial contents.
    static let interfaceFiles: [String: String] = [
        "cgroup.procs": "", "cgroup.controllers": "cpu memory pids", "cgroup.subtree_control": "",
        "cgroup.kill": "", "cgroup.freeze": "0", "memory.max": "max", "memory.swap.max": "max",
        "memory.peak": "0", "memory.current": "0", "memory.events": "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n",
        "pids.max": "max", "pids.events": "max 0\n", "cpu.max": "max 100000", "cpu.weight": "100",
        "cpu.stat": "usage_usec 0\nuser_usec 0\nsystem_usec 0\n",
    ]

    /// What a v1 cgroup has, in the hierarchies CgroupV1Driver uses (each fake hierarchy has them all).
    static let v1InterfaceFiles: [String: String] = [
        "cgroup.procs": "", "tasks": "", "memory.limit_in_bytes": "9223372036854771712",
        "memory.max_usage_in_bytes": "0", "memory.oom_control": "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n",
        "pids.max": "max", "pids.events": "max 0\n", "cpu.cfs_period_us": "100000", "cpu.cfs_quota_us": "-1",
        "cpu.shares": "1024", "cpuacct.usage": "0", "freezer.state": "THAWED",
    ]

    init(interfaceFiles: [String: String] = FakeCgroupTree.interfaceFiles) throws {
        self.interfaceFiles = interfaceFiles
        root = NSTemporaryDirectory() + "crucible-fake-cgroup-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        for (name, content) in interfaceFiles {
            try content.write(toFile: root + "/" + name, atomically: false, encoding: .utf8)
        }
    }

    /// A v1 tree: a hierarchy per controller CgroupV1Driver needs, at `root/<controller>`, with crucible's
    /// process in each one's root cgroup.
    static func v1() throws -> (FakeCgroupTree, [String: CgroupHierarchy]) {
        let tree = try FakeCgroupTree(interfaceFiles: v1InterfaceFiles)
        var hierarchies: [String: CgroupHierarchy] = [:]
        for controller in CgroupV1Driver.requiredControllers {
            let mountPoint = tree.root + "/" + controller
            guard tree.makeDirectory(mountPoint) == 0 else { throw SandboxError.unavailable("fake \(mountPoint)") }
            hierarchies[controller] = CgroupHierarchy(mountPoint: mountPoint, ownPath: "/")
        }
        return (tree, hierarchies)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    var recordedWrites: [(String, String)] { writes.withLock { $0 } }

    func lastWrite(to path: String) -> String? {
        recordedWrites.last { $0.0 == path }?.1
    }

    /// Sets a file as the kernel would (usage counters and events).
    func set(_ path: String, _ content: String) throws {
        try content.write(toFile: path, atomically: false, encoding: .utf8)
    }

    func makeDirectory(_ path: String) -> Int32 {
        if FileManager.default.fileExists(atPath: path) { return EEXIST }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
            for (name, content) in interfaceFiles {
                try content.write(toFile: path + "/" + name, atomically: false, encoding: .utf8)
            }
            return 0
        } catch {
            return ENOENT
        }
    }

    func removeDirectory(_ path: String) -> Int32 {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        // The kernel refuses to remove a cgroup with children or processes.
        if entries.contains(where: { interfaceFiles[$0] == nil }) { return EBUSY }
        if let procs = try? read(path + "/cgroup.procs"), !procs.isEmpty { return EBUSY }
        do {
            try FileManager.default.removeItem(atPath: path)
            return 0
        } catch {
            return ENOENT
        }
    }

    func write(_ path: String, _ text: String) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw SandboxError.cgroup(path: path, errno: ENOENT, doing: "writing '\(text)'")
        }
        writes.withLock { $0.append((path, text)) }
        try text.write(toFile: path, atomically: false, encoding: .utf8)
    }

    func read(_ path: String) throws -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw SandboxError.cgroup(path: path, errno: ENOENT, doing: "reading")
        }
        return text
    }

    func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    func listDirectory(_ path: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { interfaceFiles[$0] == nil }
    }

    func openDirectory(_ path: String) -> Int32 { open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
}
