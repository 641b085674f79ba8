import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// cgroup v1: one directory per hierarchy (memory, pids, cpu, cpuacct, freezer), all under
/// "<this process's cgroup>/crucible". The parent moves the child in before it runs anything.
///
/// A sandbox's memory directory is always new: its counters (peak usage, OOM kills) cannot be reset, and pages
/// its sandbox read stay charged to it. The other hierarchies' directories may serve sandbox after sandbox
/// (`retire`, `create(reusing:)`): emptied, thawed, CPU time reset to zero, the pids limit's hits counted from
/// a baseline. Making and removing those four cost about 0.35 ms of CPU a sandbox, a tenth of what a whole
/// sandbox costs; the workload never sees cgroupfs, so nothing of one sandbox reaches the next through them.
public struct CgroupV1Driver: CgroupDriver {
    static let requiredControllers: Set<String> = ["memory", "pids", "cpu", "cpuacct", "freezer"]

    public let version = CgroupVersion.v1
    let bases: [String: String]  // controller -> base directory
    let fileSystem: any CgroupFileSystem
    /// Whether the kernel counts swap (memory.memsw.*): looked up once, not at every sandbox.
    let swapAccounted: Bool

    public var location: String { bases["memory"] ?? "" }

    init(hierarchies: [String: CgroupHierarchy], fileSystem: any CgroupFileSystem) throws {
        var bases: [String: String] = [:]
        for controller in Self.requiredControllers {
            guard let hierarchy = hierarchies[controller] else { continue }
            let base = hierarchy.ownDirectory + "/crucible"
            let rc = fileSystem.makeDirectory(base)
            guard rc == 0 || rc == EEXIST else {
                throw SandboxError.cgroup(path: base, errno: rc, doing: "creating the sandboxes' parent cgroup")
            }
            bases[controller] = base
        }
        self.bases = bases
        self.fileSystem = fileSystem
        swapAccounted = bases["memory"].map { fileSystem.exists($0 + "/memory.memsw.limit_in_bytes") } ?? false
    }

    public func create(name: String, limits: CgroupLimits) throws -> any Cgroup {
        // cpu and cpuacct are often co-mounted: one directory then serves both.
        var directories: [String: String] = [:]
        var created: [String] = []
        do {
            for controller in Self.requiredControllers.sorted() {
                guard let base = bases[controller] else { continue }
                let path = base + "/" + name
                if !created.contains(path) {
                    let rc = fileSystem.makeDirectory(path)
                    guard rc == 0 else { throw SandboxError.cgroup(path: path, errno: rc, doing: "creating") }
                    created.append(path)
                }
                directories[controller] = path
            }
            return try CgroupV1(
                directories: directories, all: created, fileSystem: fileSystem, swapAccounted: swapAccounted
            ).readied(with: limits)
        } catch {
            for path in created.reversed() { _ = fileSystem.removeDirectory(path) }
            throw error
        }
    }

    public func create(name: String, limits: CgroupLimits, reusing remnant: CgroupRemnant) throws -> any Cgroup {
        // Every hierarchy from the remnant, except those memory is co-mounted with: those get the new directory.
        let memoryBase = bases["memory"]
        let reused = Set(bases.filter { $0.value != memoryBase }.keys)
        var directories = remnant.directories.filter { reused.contains($0.key) }
        guard let memoryBase, directories.count == reused.count else {
            remnant.discard()
            return try create(name: name, limits: limits)
        }
        let memory = memoryBase + "/" + name
        let rc = fileSystem.makeDirectory(memory)
        guard rc == 0 else {
            remnant.discard()
            throw SandboxError.cgroup(path: memory, errno: rc, doing: "creating")
        }
        for (controller, base) in bases where base == memoryBase { directories[controller] = memory }
        let all = [memory] + Set(directories.values).subtracting([memory]).sorted()
        let cgroup = CgroupV1(
            directories: directories, all: all, fileSystem: fileSystem, swapAccounted: swapAccounted,
            descriptors: remnant.descriptors, limits: remnant.limits)
        do {
            try cgroup.startCountingAfresh()
        } catch {
            try? cgroup.remove()
            throw error
        }
        return try cgroup.readied(with: limits)
    }

    public var parentDirectories: [String] { Set(bases.values).sorted() }

    public func sweepStale() {
        // Every hierarchy's names: a crash can leave one hierarchy's directory after the others were removed.
        let names = Set(bases.values.flatMap { fileSystem.listDirectory($0) })
        for name in names.sorted() where CgroupNaming.isStale(name) {
            var directories: [String: String] = [:]
            var all: [String] = []
            for (controller, base) in bases {
                let path = base + "/" + name
                directories[controller] = path
                if !all.contains(path), fileSystem.exists(path) { all.append(path) }
            }
            try? CgroupV1(directories: directories, all: all, fileSystem: fileSystem, swapAccounted: swapAccounted)
                .remove()
        }
    }
}

final class CgroupV1: CgroupBeingMade, @unchecked Sendable {
    let directories: [String: String]
    let all: [String]
    let fileSystem: any CgroupFileSystem
    let swapAccounted: Bool
    /// Files kept open, by path: each hierarchy's `tasks` file (the child moves itself in through it) and the
    /// counters every report reads (read again with pread, so a report opens nothing; not `cgroup.procs`, see
    /// killAll). Inherited from a remnant or opened in open(), before the cgroup is shared; the memory
    /// directory's closed before it is removed and the rest handed to the remnant in retire(), or all closed
    /// in remove().
    private var descriptors: [String: Int32] = [:]
    /// The limits last written to the directories (a remnant's, until apply writes this sandbox's).
    private var applied: CgroupLimits?
    /// pids.events' count of forks refused when this sandbox got the cgroup (a reused pids directory keeps
    /// counting, and its counter cannot be reset). Set before the cgroup is shared.
    private var pidsLimitHitsBefore: UInt64 = 0

    init(
        directories: [String: String], all: [String], fileSystem: any CgroupFileSystem, swapAccounted: Bool,
        descriptors: [String: Int32] = [:], limits: CgroupLimits? = nil
    ) {
        self.directories = directories
        self.all = all
        self.fileSystem = fileSystem
        self.swapAccounted = swapAccounted
        for (file, fd) in descriptors {
            if all.contains(where: { file.hasPrefix($0 + "/") }) { self.descriptors[file] = fd } else { close(fd) }
        }
        applied = limits
    }

    deinit {
        closeDescriptors { _ in true }
    }

    /// One per hierarchy, in the order of `all`.
    var taskDescriptors: [Int32] { all.compactMap { descriptors[$0 + "/tasks"] } }

    /// Opens each hierarchy's `tasks` file not yet open, for the child to move itself in through, and the
    /// counters a report reads (one that will not open is read by its path instead).
    func open() throws {
        for path in all.map({ $0 + "/tasks" }) where descriptors[path] == nil {
            let fd = fileSystem.openForWriting(path)
            guard fd >= 0 else { throw SandboxError.cgroup(path: path, errno: errno, doing: "opening") }
            descriptors[path] = fd
        }
        for file in [cpuTimeFile, peakFile, oomFile, pidsEventsFile] where descriptors[file] == nil {
            let fd = fileSystem.openForReading(file)
            if fd >= 0 { descriptors[file] = fd }
        }
    }

    private var cpuTimeFile: String { path("cpuacct", "cpuacct.usage") }
    private var peakFile: String {
        path("memory", swapAccounted ? "memory.memsw.max_usage_in_bytes" : "memory.max_usage_in_bytes")
    }
    private var oomFile: String { path("memory", "memory.oom_control") }
    private var pidsEventsFile: String { path("pids", "pids.events") }

    /// A counter's text, through its open descriptor when it has one.
    private func read(_ file: String) throws -> String {
        guard let fd = descriptors[file] else { return try fileSystem.read(file) }
        guard let text = fileSystem.read(descriptor: fd) else {
            throw SandboxError.cgroup(path: file, errno: errno, doing: "reading")
        }
        return text
    }

    var cloneDirectoryFD: Int32 { -1 }

    private func path(_ controller: String, _ file: String) -> String {
        (directories[controller] ?? "/nonexistent") + "/" + file
    }

    /// The memory directory is always new; the others keep what an earlier sandbox's limits wrote, so only
    /// what differs is written again.
    func apply(_ limits: CgroupLimits) throws {
        try fileSystem.write(path("memory", "memory.limit_in_bytes"), String(limits.memory))
        // Swap counts against the same limit: memsw is memory + swap. Absent when swap accounting is off.
        if swapAccounted { try fileSystem.write(path("memory", "memory.memsw.limit_in_bytes"), String(limits.memory)) }
        if applied?.pids != limits.pids {
            try fileSystem.write(path("pids", "pids.max"), String(limits.pids + 1))
        }
        if applied?.cpuCores != limits.cpuCores || applied?.cpuWeight != limits.cpuWeight {
            let period = 100_000
            try fileSystem.write(path("cpu", "cpu.cfs_period_us"), String(period))
            try fileSystem.write(path("cpu", "cpu.cfs_quota_us"), String(Int(limits.cpuCores * Double(period))))
            try fileSystem.write(path("cpu", "cpu.shares"), String(max(2, limits.cpuWeight * 1024 / 100)))
        }
        applied = limits
    }

    /// For a cgroup whose directories (but memory's) served an earlier sandbox: its CPU time back to zero, and
    /// the pids limit's hits counted from here.
    func startCountingAfresh() throws {
        try fileSystem.write(cpuTimeFile, "0")
        pidsLimitHitsBefore = cgroupKeyedValue(try read(pidsEventsFile), "max") ?? 0
    }

    func cpuNanoseconds() -> UInt64 {
        cgroupNumber((try? read(cpuTimeFile)) ?? "") ?? 0
    }

    func usage() -> CgroupUsage {
        let peak = cgroupNumber((try? read(peakFile)) ?? "")
        let oom = (try? read(oomFile)) ?? ""
        let pids = (try? read(pidsEventsFile)) ?? ""
        return CgroupUsage(
            cpuNanoseconds: cpuNanoseconds(), peakMemoryBytes: peak ?? 0,
            oomKills: Int(cgroupKeyedValue(oom, "oom_kill") ?? 0),
            pidsLimitHits: Int((cgroupKeyedValue(pids, "max") ?? 0) &- pidsLimitHitsBefore))
    }

    func processes() -> [pid_t] {
        var pids = Set<pid_t>()
        for directory in all {
            let text = (try? fileSystem.read(directory + "/cgroup.procs")) ?? ""
            for line in text.split(separator: "\n") { if let pid = pid_t(line) { pids.insert(pid) } }
        }
        return pids.sorted()
    }

    /// Freeze, kill, thaw: frozen processes cannot fork between reading the list and the kill.
    func killAll() {
        // Every process is in every hierarchy: the freezer's list is the whole list. Opened afresh each time: v1
        // keeps the list it gave a descriptor for a second and gives it again to that descriptor's next read.
        let members = (try? fileSystem.read(path("freezer", "cgroup.procs"))) ?? ""
        guard !members.isEmpty else { return }
        let state = path("freezer", "freezer.state")
        try? fileSystem.write(state, "FROZEN")
        for _ in 0..<1000 {
            let now = ((try? fileSystem.read(state)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            if now == "FROZEN" || now.isEmpty { break }
            usleep(100)
        }
        for pid in processes() { kill(pid, SIGKILL) }
        try? fileSystem.write(state, "THAWED")
    }

    /// Removes the memory directory and keeps the others for another sandbox, once they are empty and thawed;
    /// anything else removes them all.
    func retire() throws -> CgroupRemnant? {
        guard let memory = directories["memory"] else {
            try remove()
            return nil
        }
        killAll()
        closeDescriptors { $0.hasPrefix(memory + "/") }
        let rc = removeCgroupDirectory(memory, fileSystem: fileSystem)
        if rc != 0 { throw SandboxError.cgroup(path: memory, errno: rc, doing: "removing") }
        // The other directories are empty too: a sandbox's init joins every hierarchy before anything runs and
        // its processes inherit them all, so none can be in one without being in the memory directory, and the
        // kernel removes a directory only when no process is in it.
        let state = (try? fileSystem.read(path("freezer", "freezer.state"))) ?? ""
        guard state.hasPrefix("THAWED") else {
            try remove()
            return nil
        }
        let kept = directories.filter { $0.value != memory }
        let remnant = CgroupRemnant(
            directories: kept, fileSystem: fileSystem, descriptors: descriptors, limits: applied)
        descriptors = [:]
        return remnant
    }

    /// Closes the kept files whose paths `which` picks.
    private func closeDescriptors(_ which: (String) -> Bool) {
        for (file, fd) in descriptors where which(file) {
            close(fd)
            descriptors[file] = nil
        }
    }

    func remove() throws {
        closeDescriptors { _ in true }
        for attempt in 0..<3 {
            killAll()
            var failed: (String, Int32)?
            for directory in all {
                let rc = removeCgroupDirectory(directory, fileSystem: fileSystem)
                if rc != 0 { failed = (directory, rc) }
            }
            guard let (directory, rc) = failed else { return }
            if attempt == 2 { throw SandboxError.cgroup(path: directory, errno: rc, doing: "removing") }
        }
    }
}
