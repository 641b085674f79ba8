import Foundation
#if canImport(Glibc)
    import Glibc
#endif

public enum CgroupVersion: String, Sendable, Codable {
    case v1
    case v2
}

/// What the kernel enforces for one sandbox through its cgroup.
public struct CgroupLimits: Sendable, Hashable {
    public var memory: UInt64
    /// Processes and threads the program may have; the sandbox's init is added on top.
    public var pids: Int
    public var cpuCores: Double
    public var cpuWeight: Int

    public init(memory: UInt64, pids: Int, cpuCores: Double, cpuWeight: Int) {
        self.memory = memory
        self.pids = pids
        self.cpuCores = cpuCores
        self.cpuWeight = cpuWeight
    }
}

/// What the cgroup counted for one sandbox.
public struct CgroupUsage: Sendable, Equatable {
    public var cpuNanoseconds: UInt64
    public var peakMemoryBytes: UInt64
    /// Processes the kernel's OOM killer killed in this cgroup.
    public var oomKills: Int
    /// Times a fork or clone failed because of the pids limit.
    public var pidsLimitHits: Int
}

/// One sandbox's cgroup (in every hierarchy it needs, on v1).
public protocol Cgroup: Sendable {
    /// A descriptor of the cgroup directory to clone into (v2), or -1 when the child is moved in (v1).
    var cloneDirectoryFD: Int32 { get }
    /// Descriptors of the `tasks` files a child moves itself in through, one per hierarchy, opened when the
    /// cgroup was made (v1; none on v2, where the child is cloned into the cgroup). A thread that writes "0"
    /// there moves itself, the one move the kernel makes without its global lock; and no pid is written, so
    /// none can have been reused.
    var taskDescriptors: [Int32] { get }
    /// CPU time of every process in the cgroup so far.
    func cpuNanoseconds() -> UInt64
    func usage() -> CgroupUsage
    /// The host pids of the processes in the cgroup.
    func processes() -> [pid_t]
    /// Kills every process in the cgroup, including ones that double-forked or changed session.
    func killAll()
    /// Removes the cgroup, killing whatever is still in it. Safe to call more than once.
    func remove() throws
    /// Ends the cgroup's service to its sandbox: kills what is left, removes what must not serve another
    /// sandbox, and returns what may (nil: nothing may, and all of it is removed).
    func retire() throws -> CgroupRemnant?
}

extension Cgroup {
    public func retire() throws -> CgroupRemnant? {
        try remove()
        return nil
    }
}

/// The part of a retired cgroup that may serve another sandbox: directories by controller, each empty,
/// with no counter the next sandbox reads unless it is reset or taken as a baseline first. Only v1 has one
/// (its hierarchies other than memory); see CgroupV1Driver.
public struct CgroupRemnant: Sendable {
    public let directories: [String: String]
    let fileSystem: any CgroupFileSystem
    /// Its directories' files still open, by path (`tasks` files and counters): the next cgroup need not open
    /// them again. Owned by the remnant until a cgroup is made of it, or it is discarded.
    var descriptors: [String: Int32] = [:]
    /// The limits its directories were last given: the next cgroup writes only those that differ.
    var limits: CgroupLimits?

    /// Removes its directories: nobody will reuse them.
    func discard() {
        for fd in descriptors.values { close(fd) }
        for directory in Set(directories.values) { _ = removeCgroupDirectory(directory, fileSystem: fileSystem) }
    }
}

/// A cgroup a driver has just made: its limits are written, then what the child joins it through is opened.
protocol CgroupBeingMade: Cgroup {
    func apply(_ limits: CgroupLimits) throws
    func open() throws
}

extension CgroupBeingMade {
    /// Writes `limits` and opens the cgroup for its child; one that cannot be made ready is removed again.
    func readied(with limits: CgroupLimits) throws -> Self {
        do {
            try apply(limits)
            try open()
        } catch {
            try? remove()
            throw error
        }
        return self
    }
}

/// Makes sandbox cgroups on one host.
public protocol CgroupDriver: Sendable {
    var version: CgroupVersion { get }
    /// Where the sandboxes' cgroups live, for messages and `crucible agent --check`.
    var location: String { get }
    func create(name: String, limits: CgroupLimits) throws -> any Cgroup
    /// A cgroup made partly of a retired one's remnant; the remnant is the new cgroup's (or removed) after.
    func create(name: String, limits: CgroupLimits, reusing remnant: CgroupRemnant) throws -> any Cgroup
    /// Removes cgroups that crashed crucible processes left behind.
    func sweepStale()
    /// Every directory the sandboxes' cgroups are made in (one per v1 hierarchy), for the leak test.
    var parentDirectories: [String] { get }
}

extension CgroupDriver {
    /// Drivers without remnants (v2) make a fresh cgroup.
    public func create(name: String, limits: CgroupLimits, reusing remnant: CgroupRemnant) throws -> any Cgroup {
        remnant.discard()
        return try create(name: name, limits: limits)
    }
}

/// Chooses the driver for this host: v2 where the unified hierarchy has the memory, pids and cpu
/// controllers; v1 where those are mounted as v1 hierarchies; otherwise, a clear error.
public enum CgroupDetector {
    public static func driver(fileSystem: any CgroupFileSystem = RealCgroupFileSystem()) throws -> any CgroupDriver {
        let mountinfo = (try? fileSystem.read("/proc/self/mountinfo")) ?? ""
        let membership = (try? fileSystem.read("/proc/self/cgroup")) ?? ""
        let layout = CgroupLayout.parse(mountinfo: mountinfo, membership: membership)
        if let unified = layout.unified {
            let controllers = (try? fileSystem.read(unified.mountPoint + "/cgroup.controllers")) ?? ""
            let names = Set(controllers.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
            if CgroupV2Driver.requiredControllers.isSubset(of: names) {
                return try CgroupV2Driver(hierarchy: unified, fileSystem: fileSystem)
            }
        }
        let missing = CgroupV1Driver.requiredControllers.filter { layout.v1[$0] == nil }
        if missing.isEmpty {
            return try CgroupV1Driver(hierarchies: layout.v1, fileSystem: fileSystem)
        }
        throw SandboxError.unavailable(
            "no usable cgroups: cgroup v2 lacks the memory, pids and cpu controllers and cgroup v1 lacks "
                + "\(missing.sorted().joined(separator: ", ")); mount them (or boot with systemd.unified_cgroup_hierarchy=1)"
        )
    }
}

/// Where each hierarchy is mounted and where this process sits in it.
public struct CgroupHierarchy: Sendable, Equatable {
    public var mountPoint: String
    /// This process's cgroup, relative to the hierarchy's root ("/" or "/system.slice/x.service").
    public var ownPath: String

    public var ownDirectory: String { ownPath == "/" ? mountPoint : mountPoint + ownPath }
}

public struct CgroupLayout: Sendable, Equatable {
    public var unified: CgroupHierarchy?
    /// v1 hierarchies by controller name; co-mounted controllers (cpu,cpuacct) share one entry's mount.
    public var v1: [String: CgroupHierarchy]

    /// Reads /proc/self/mountinfo and /proc/self/cgroup.
    public static func parse(mountinfo: String, membership: String) -> CgroupLayout {
        var ownV1: [String: String] = [:]
        var ownUnified = "/"
        for line in membership.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { continue }
            if parts[0] == "0" && parts[1].isEmpty {
                ownUnified = String(parts[2])
            } else {
                for controller in parts[1].split(separator: ",") { ownV1[String(controller)] = String(parts[2]) }
            }
        }
        var layout = CgroupLayout(unified: nil, v1: [:])
        for line in mountinfo.split(separator: "\n") {
            // "36 25 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory"
            let halves = line.components(separatedBy: " - ")
            guard halves.count == 2 else { continue }
            let left = halves[0].split(separator: " ")
            let right = halves[1].split(separator: " ")
            guard left.count >= 5, right.count >= 3 else { continue }
            let mountPoint = unescapeMountPath(String(left[4]))
            // Only hierarchies mounted at their root show the whole tree to this process.
            guard left[3] == "/" else { continue }
            switch right[0] {
            case "cgroup2":
                layout.unified = CgroupHierarchy(mountPoint: mountPoint, ownPath: ownUnified)
            case "cgroup":
                for option in right[2].split(separator: ",") {
                    let controller = String(option)
                    if let own = ownV1[controller] {
                        layout.v1[controller] = CgroupHierarchy(mountPoint: mountPoint, ownPath: own)
                    }
                }
            default:
                continue
            }
        }
        return layout
    }

    private static func unescapeMountPath(_ text: String) -> String {
        text.replacingOccurrences(of: "\\040", with: " ").replacingOccurrences(of: "\\011", with: "\t")
    }
}

/// Parses "key value" lines (memory.events, pids.events, cpu.stat, memory.oom_control).
/// The number a one-value cgroup file holds ("12345\n"); nil when it holds anything else. Read after every
/// sandbox, so without Foundation's character sets.
func cgroupNumber(_ text: String) -> UInt64? {
    let words = text.utf8.split(whereSeparator: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\n") })
    guard words.count == 1 else { return nil }
    return UInt64(Substring(words[0]))
}

func cgroupKeyedValue(_ text: String, _ key: String) -> UInt64? {
    for line in text.split(separator: "\n") {
        let parts = line.split(separator: " ")
        if parts.count == 2, parts[0] == key { return UInt64(parts[1]) }
    }
    return nil
}

/// Waits a little for processes to leave a cgroup so it can be removed; returns the last errno.
func removeCgroupDirectory(_ path: String, fileSystem: any CgroupFileSystem) -> Int32 {
    var lastError: Int32 = 0
    for attempt in 0..<200 {
        lastError = fileSystem.removeDirectory(path)
        if lastError == 0 || lastError == ENOENT { return 0 }
        guard lastError == EBUSY else { return lastError }
        usleep(attempt < 20 ? 500 : 5000)
    }
    return lastError
}
