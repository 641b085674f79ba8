/// The sandbox policy: what a sandboxed program can see and do. Read from YAML (`PolicyLoader`);
/// `agent/sandbox-policy.yaml` is the built-in default.
public struct SandboxPolicy: Sendable, Hashable {
    public var version: Int
    /// The root filesystem binds come from: `host` (the node's own system) or the name of a built
    /// image (`images/<name>.yaml`, built into an `ImageStore` by `crucible images build`).
    public var image: String
    public var identity: Identity
    public var hostname: String
    public var network: NetworkMode
    public var limits: Limits
    /// The program's whole environment, in file order.
    public var environment: [EnvironmentVariable]
    /// Capabilities kept. Always empty: the loader refuses anything else.
    public var capabilities: [String]
    public var mounts: [MountRule]
    /// Files written into the read-only root, in file order.
    public var files: [RootFile]
    public var seccomp: SeccompPolicy

    /// The environment's PATH, used to find the command; the C library's default when unset.
    public var searchPath: String {
        environment.first { $0.name == "PATH" }?.value ?? "/usr/bin:/bin"
    }
}

public struct Identity: Sendable, Hashable {
    public var insideUID: UInt32
    public var insideGID: UInt32
    public var hostUIDBase: UInt32
    public var hostGIDBase: UInt32
}

public enum NetworkMode: String, Sendable, Hashable, CaseIterable {
    /// An empty network namespace; `lo` stays down.
    case none
    /// The sandbox's own `lo`, up; nothing else.
    case loopback
}

/// Limits of one sandbox. Durations in seconds, sizes in bytes.
public struct Limits: Sendable, Hashable {
    public var cpuTime: Double
    public var wallTime: Double
    public var memory: UInt64
    public var pids: Int
    public var cpuCores: Double
    public var cpuWeight: Int
    public var fileSize: UInt64
    public var openFiles: Int
    public var stack: UInt64
    public var output: UInt64
    public var tmpSize: UInt64
    public var shmSize: UInt64
    public var workSize: UInt64
    public var inodes: Int

    /// Each limit at the smaller of the two: how a toolchain step tightens the operator's policy
    /// without ever loosening it.
    public func tightened(by other: Limits) -> Limits {
        Limits(
            cpuTime: min(cpuTime, other.cpuTime), wallTime: min(wallTime, other.wallTime),
            memory: min(memory, other.memory), pids: min(pids, other.pids),
            cpuCores: min(cpuCores, other.cpuCores), cpuWeight: min(cpuWeight, other.cpuWeight),
            fileSize: min(fileSize, other.fileSize), openFiles: min(openFiles, other.openFiles),
            stack: min(stack, other.stack), output: min(output, other.output),
            tmpSize: min(tmpSize, other.tmpSize), shmSize: min(shmSize, other.shmSize),
            workSize: min(workSize, other.workSize), inodes: min(inodes, other.inodes))
    }
}

public struct EnvironmentVariable: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

public struct RootFile: Sendable, Hashable {
    public var path: String
    public var content: String
}

public enum MountKind: String, Sendable, Hashable, CaseIterable {
    /// A read-only (unless said otherwise) bind of a path of the image.
    case bind
    /// The workspace: the caller's directory bound read-write, or a fresh tmpfs of `limits.work_size`.
    case workdir
    case tmpfs
    case proc
    /// One of the harmless character devices, bound from the node's /dev.
    case device
}

public struct MountRule: Sendable, Hashable {
    public var target: String
    public var kind: MountKind
    public var source: String?
    public var readOnly: Bool
    public var optional: Bool
    /// tmpfs size; nil takes the size from the limits (tmp_size for /tmp, shm_size for /dev/shm).
    public var size: UInt64?
    /// Where the rule stands in its file, for messages.
    public var line: Int?
    /// The source is a path on the node even when the policy names a built image: only code sets
    /// this (the probe program of `policy check` is crucible's own binary), never a policy file.
    public var fromHost: Bool

    public static let allowedDevices: Set<String> = ["null", "zero", "full", "random", "urandom"]

    public init(
        target: String, kind: MountKind, source: String?, readOnly: Bool, optional: Bool, size: UInt64?, line: Int?,
        fromHost: Bool = false
    ) {
        self.target = target
        self.kind = kind
        self.source = source
        self.readOnly = readOnly
        self.optional = optional
        self.size = size
        self.line = line
        self.fromHost = fromHost
    }
}

public struct SeccompPolicy: Sendable, Hashable {
    public var defaultAction: SeccompAction
    public var badArchitectureAction: SeccompAction
    public var rules: [SeccompRule]
}

public enum SeccompAction: Sendable, Hashable, CustomStringConvertible {
    case allow
    case errno(Int32)
    case killProcess
    case killThread
    case trap
    case log

    public var description: String {
        switch self {
        case .allow: return "allow"
        case .errno(let code): return "errno \(errnoName(code))"
        case .killProcess: return "kill_process"
        case .killThread: return "kill_thread"
        case .trap: return "trap"
        case .log: return "log"
        }
    }
}

public struct SeccompRule: Sendable, Hashable {
    public var action: SeccompAction
    public var why: String
    public var syscalls: [String]
    /// The rule applies when any one of these holds; an empty list means always.
    public var args: [SeccompArgument]
    public var line: Int?
}

/// `(argument[index] & mask) == value`.
public struct SeccompArgument: Sendable, Hashable {
    public var index: Int
    public var mask: UInt64
    public var value: UInt64
}
