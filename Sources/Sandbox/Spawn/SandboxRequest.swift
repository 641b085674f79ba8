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
