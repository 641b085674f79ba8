/// One program to run in one sandbox.
public struct SandboxRequest: Sendable {
    public enum Input: Sendable, Equatable {
        /// /dev/null.
        case none
        /// A file on the host, opened by the supervisor (the sandbox never sees its path).
        case file(String)
        /// Bytes held in memory (test cases' stdin).
        case bytes([UInt8])
    }

    /// argv; the first word is a path inside the sandbox or a name looked up in the policy's PATH.
    public var command: [String]
    public var policy: SandboxPolicy
    /// A host directory bound read-write at the workdir mount; nil gives a fresh, size-capped tmpfs.
    public var workdir: String?
    public var stdin: Input
    /// Sandboxes running at once get different slots and so different host uids.
    public var slot: Int
    /// Mounts added to the policy's for this run only (read-only binds, such as the probe program).
    public var extraMounts: [MountRule]
    /// Two steps of a job in this one sandbox, told apart by a marker (nil: one step).
    public var split: StageSplit?

    public init(
        command: [String], policy: SandboxPolicy, workdir: String? = nil, stdin: Input = .none, slot: Int = 0,
        extraMounts: [MountRule] = []
    ) {
        self.command = command
        self.policy = policy
        self.workdir = workdir
        self.stdin = stdin
        self.slot = slot
        self.extraMounts = extraMounts
    }

    /// The host uid and gid the program runs as.
    public var hostUID: UInt32 { policy.identity.hostUIDBase + UInt32(slot) }
    public var hostGID: UInt32 { policy.identity.hostGIDBase + UInt32(slot) }
}

/// Two steps in one sandbox (docs/sandbox.md, "Two steps in one sandbox"): the program writes `marker` to
/// stdout and to stderr when its first step is done, then goes on with the second. Until the first marker the
/// first step's time limits apply; from it the policy's, counted from the marker. Each stream is split at its
/// own first marker (two pipes keep no order between them); a later one is output like any other. The
/// marker is random per run, so nothing the first step runs prints it by chance.
public struct StageSplit: Sendable, Equatable {
    public var marker: [UInt8]
    /// The first step's wall and CPU time limits, in seconds.
    public var firstWallTime: Double
    public var firstCPUTime: Double

    public init(marker: [UInt8], firstWallTime: Double, firstCPUTime: Double) {
        self.marker = marker
        self.firstWallTime = firstWallTime
        self.firstCPUTime = firstCPUTime
    }
}
