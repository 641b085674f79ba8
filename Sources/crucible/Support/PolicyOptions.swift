import ArgumentParser
import Sandbox

/// `--policy FILE`: an operator's policy over the built-in default.
struct PolicyOptions: ParsableArguments {
    @Option(name: .long, help: "Policy file (YAML); the built-in default applies without it.")
    var policy: String?

    func load() throws -> SandboxPolicy {
        if let policy { return try PolicyLoader.load(path: policy) }
        return try PolicyLoader.defaultPolicy()
    }
}

/// Flags that set single limits over the policy's. Each takes the next argument as its value even when it starts
/// with a dash, so `--pids -1` is told what is wrong with -1, not that a value is missing.
struct LimitOptions: ParsableArguments {
    @Option(
        name: .customLong("cpu-time"), parsing: .unconditional, help: "CPU time of all processes together (10s, 500ms)."
    )
    var cpuTime: String?
    @Option(name: .customLong("wall-time"), parsing: .unconditional, help: "Real time (30s).")
    var wallTime: String?
    @Option(parsing: .unconditional, help: "Memory including swap and tmpfs (512MiB, 1G).")
    var memory: String?
    @Option(parsing: .unconditional, help: "Processes and threads at once.")
    var pids: Int?
    @Option(
        name: .customLong("file-size"), parsing: .unconditional, help: "Largest file the program may write (64MiB).")
    var fileSize: String?
    @Option(
        name: .customLong("output-limit"), parsing: .unconditional, help: "Bytes of stdout and of stderr kept (1MiB).")
    var outputLimit: String?
    @Option(help: "Network: none or loopback.")
    var network: String?

    func apply(to policy: inout SandboxPolicy) throws {
        func size(_ text: String?, _ flag: String) throws -> UInt64? {
            guard let text else { return nil }
            guard let bytes = Quantity.parseSize(text), bytes > 0 else {
                throw ValidationError("--\(flag) \(text): not a size; write it like 512MiB, 64k or 1G")
            }
            return bytes
        }
        func duration(_ text: String?, _ flag: String) throws -> Double? {
            guard let text else { return nil }
            guard let seconds = Quantity.parseDuration(text), seconds > 0 else {
                throw ValidationError("--\(flag) \(text): not a duration; write it like 10s, 500ms or 2m")
            }
            return seconds
        }
        if let value = try duration(cpuTime, "cpu-time") { policy.limits.cpuTime = value }
        if let value = try duration(wallTime, "wall-time") { policy.limits.wallTime = value }
        if let value = try size(memory, "memory") {
            guard value >= 4 << 20 else { throw ValidationError("--memory \(memory ?? ""): at least 4MiB is needed") }
            policy.limits.memory = value
        }
        if let pids {
            guard pids >= 1 else { throw ValidationError("--pids \(pids): give at least 1") }
            policy.limits.pids = pids
        }
        if let value = try size(fileSize, "file-size") { policy.limits.fileSize = value }
        if let value = try size(outputLimit, "output-limit") { policy.limits.output = value }
        if let network {
            guard let mode = NetworkMode(rawValue: network) else {
                throw ValidationError("--network \(network): use none or loopback")
            }
            policy.network = mode
        }
    }
}
