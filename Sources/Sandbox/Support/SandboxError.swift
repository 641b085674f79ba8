/// Everything that can go wrong in the Sandbox module. Each message says what is wrong and what to do.
public enum SandboxError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The policy file (or a flag that overrides it) is invalid: `key` is its dotted path, `line` its line.
    case invalidPolicy(key: String, line: Int?, message: String)
    /// A request (command line, workdir, stdin) cannot be run as given.
    case invalidRequest(String)
    /// The node cannot build sandboxes (no user namespaces, no writable cgroups, …).
    case unavailable(String)
    /// Setting up one sandbox failed at a named step.
    case setupFailed(step: String, errno: Int32, detail: String)
    /// Reading or writing a cgroup failed.
    case cgroup(path: String, errno: Int32, doing: String)

    public var description: String {
        switch self {
        case .invalidPolicy(let key, let line, let message):
            let place = line.map { "line \($0): " } ?? ""
            return "policy: \(place)\(key): \(message)"
        case .invalidRequest(let message):
            return message
        case .unavailable(let message):
            return "this node cannot run sandboxes: \(message)"
        case .setupFailed(let step, let errno, let detail):
            let reason = errno == 0 ? "" : " (\(errnoName(errno)): \(errnoText(errno)))"
            return "sandbox set-up failed at step '\(step)'\(reason)\(detail.isEmpty ? "" : ": \(detail)")"
        case .cgroup(let path, let errno, let doing):
            return "cgroup \(path): \(doing) failed (\(errnoName(errno)): \(errnoText(errno))); "
                + "check that crucible runs as root and that the cgroup hierarchy is writable"
        }
    }
}
