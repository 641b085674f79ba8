import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// cgroup v2: sandboxes live in "<this process's cgroup>/crucible.sandboxes/<name>" and are cloned
/// straight into their cgroup (CLONE_INTO_CGROUP), so no instruction of the child runs outside it.
///
/// v2 forbids processes in a cgroup that hands controllers to its children, so on start crucible
/// moves itself into "<own>/crucible.supervisor" and enables memory, pids and cpu below "<own>" —
/// what systemd expects of a service with Delegate=yes (see the unit files).
public struct CgroupV2Driver: CgroupDriver {
    static let requiredControllers: Set<String> = ["memory", "pids", "cpu"]

    public let version = CgroupVersion.v2
    let base: String
    let fileSystem: any CgroupFileSystem

    public var location: String { base }

    init(hierarchy: CgroupHierarchy, fileSystem: any CgroupFileSystem) throws {
        self.fileSystem = fileSystem
        let own = hierarchy.ownDirectory
        base = own + "/crucible.sandboxes"
        let enable = "+memory +pids +cpu"
        let subtree = ((try? fileSystem.read(own + "/cgroup.subtree_control")) ?? "").split(separator: " ")
        if !Self.requiredControllers.allSatisfy({ subtree.contains(Substring($0)) }) {
            // The root cgroup may hold processes and delegate at once; any other must be emptied first.
            if hierarchy.ownPath != "/" {
                let supervisor = own + "/crucible.supervisor"
                let rc = fileSystem.makeDirectory(supervisor)
                guard rc == 0 || rc == EEXIST else {
                    throw SandboxError.cgroup(path: supervisor, errno: rc, doing: "creating the supervisor cgroup")
                }
                try fileSystem.write(supervisor + "/cgroup.procs", String(getpid()))
            }
            do {
                try fileSystem.write(own + "/cgroup.subtree_control", enable)
            } catch {
                throw SandboxError.unavailable(
                    "cannot enable memory, pids and cpu below \(own) (\(error)); other processes share crucible's "
                        + "cgroup: run it as its own systemd service with Delegate=yes")
            }
        }
        let rc = fileSystem.makeDirectory(base)
        guard rc == 0 || rc == EEXIST else {
            throw SandboxError.cgroup(path: base, errno: rc, doing: "creating the sandboxes' parent cgroup")
        }
        try fileSystem.write(base + "/cgroup.subtree_control", enable)
    }

    public func create(name: String, limits: CgroupLimits) throws -> any Cgroup {
        let path = base + "/" + name
        let rc = fileSystem.makeDirectory(path)
        guard rc == 0 else { throw SandboxError.cgroup(path: path, errno: rc, doing: "creating") }
        return try CgroupV2(path: path, fileSystem: fileSystem).readied(with: limits)
    }

    public var parentDirectories: [String] { [base] }

    public func sweepStale() {
        for name in fileSystem.listDirectory(base) where CgroupNaming.isStale(name) {
            try? CgroupV2(path: base + "/" + name, fileSystem: fileSystem).remove()
        }
    }
}

final class CgroupV2: CgroupBeingMade, @unchecked Sendable {
    let path: String
    let fileSystem: any CgroupFileSystem
    // Set once in open(), before the cgroup is shared; closed in remove().
    private(set) var cloneDirectoryFD: Int32 = -1

    init(path: String, fileSystem: any CgroupFileSystem) {
        self.path = path
        self.fileSystem = fileSystem
    }

    deinit {
        if cloneDirectoryFD >= 0 { close(cloneDirectoryFD) }
    }

    func apply(_ limits: CgroupLimits) throws {
        try fileSystem.write(path + "/memory.max", String(limits.memory))
        // v2 counts swap apart from memory: allowing none keeps "memory" meaning RAM + swap.
        if fileSystem.exists(path + "/memory.swap.max") { try fileSystem.write(path + "/memory.swap.max", "0") }
        try fileSystem.write(path + "/pids.max", String(limits.pids + 1))
        let period = 100_000
        try fileSystem.write(path + "/cpu.max", "\(Int(limits.cpuCores * Double(period))) \(period)")
        try fileSystem.write(path + "/cpu.weight", String(limits.cpuWeight))
    }

    func open() throws {
        let fd = fileSystem.openDirectory(path)
        guard fd >= 0 else { throw SandboxError.cgroup(path: path, errno: errno, doing: "opening") }
        cloneDirectoryFD = fd
    }

    var taskDescriptors: [Int32] { [] }

    func cpuNanoseconds() -> UInt64 {
        let stat = (try? fileSystem.read(path + "/cpu.stat")) ?? ""
        return (cgroupKeyedValue(stat, "usage_usec") ?? 0) * 1000
    }

    func usage() -> CgroupUsage {
        // memory.peak needs Linux 5.19; older kernels only offer the current value.
        let peakText = (try? fileSystem.read(path + "/memory.peak")) ?? (try? fileSystem.read(path + "/memory.current"))
        let events = (try? fileSystem.read(path + "/memory.events")) ?? ""
        let pids = (try? fileSystem.read(path + "/pids.events")) ?? ""
        return CgroupUsage(
            cpuNanoseconds: cpuNanoseconds(),
            peakMemoryBytes: cgroupNumber(peakText ?? "") ?? 0,
            oomKills: Int(cgroupKeyedValue(events, "oom_kill") ?? 0),
            pidsLimitHits: Int(cgroupKeyedValue(pids, "max") ?? 0))
    }

    func processes() -> [pid_t] {
        let text = (try? fileSystem.read(path + "/cgroup.procs")) ?? ""
        return text.split(separator: "\n").compactMap { pid_t($0) }
    }

    func killAll() {
        // cgroup.kill (Linux 5.14) kills atomically; before it, freeze so nothing forks during the kill.
        if fileSystem.exists(path + "/cgroup.kill") {
            try? fileSystem.write(path + "/cgroup.kill", "1")
            return
        }
        guard !processes().isEmpty else { return }
        try? fileSystem.write(path + "/cgroup.freeze", "1")
        for pid in processes() { kill(pid, SIGKILL) }
        try? fileSystem.write(path + "/cgroup.freeze", "0")
    }

    func remove() throws {
        if cloneDirectoryFD >= 0 {
            close(cloneDirectoryFD)
            cloneDirectoryFD = -1
        }
        guard fileSystem.exists(path) else { return }
        killAll()
        let rc = removeCgroupDirectory(path, fileSystem: fileSystem)
        if rc != 0 { throw SandboxError.cgroup(path: path, errno: rc, doing: "removing") }
    }
}
