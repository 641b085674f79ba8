// One step of a job (build, test, quality) ran in one sandbox; this is what came out of it.

public enum StepName: String, WireEnum {
    case build, test, quality
    public static let wireName = "step name"
}

/// Why a sandboxed program ended; the same strings as `crucible sandbox run --json`.
public enum SandboxStatus: String, WireEnum {
    /// Exit code 0.
    case ok
    /// A non-zero exit code.
    case exited
    case signaled
    case cpuTimeLimit = "cpu_time_limit"
    case wallTimeLimit = "wall_time_limit"
    case memoryLimit = "memory_limit"
    case outputLimit = "output_limit"
    /// The sandbox itself could not be set up; never the program's fault.
    case setupError = "setup_error"
    public static let wireName = "sandbox status"

    /// A limit ended the program (a job whose test step ends like this is a `timeout`).
    public var isLimit: Bool {
        switch self {
        case .cpuTimeLimit, .wallTimeLimit, .memoryLimit, .outputLimit: true
        case .ok, .exited, .signaled, .setupError: false
        }
    }
}

/// The limits a program can run into, as listed in a sandbox result's `limits_hit`.
public enum LimitName: String, WireEnum {
    case cpuTime = "cpu_time"
    case wallTime = "wall_time"
    case memory, pids
    case fileSize = "file_size"
    case output
    public static let wireName = "limit"
}

public struct StepResult: Codable, Sendable, Hashable {
    public var name: StepName
    public var status: SandboxStatus
    /// Null when the program did not exit on its own (signaled, killed at a limit, or never started).
    public var exitCode: Int?
    public var cpuTimeS: Double
    public var wallTimeS: Double
    public var peakMemoryBytes: Int
    public var stdout: String
    public var stderr: String
    // Extra detail from the sandbox result. Omitted when nil, so a step without it has exactly the
    // documented keys.
    public var signal: Int?
    public var limitsHit: [LimitName]?
    public var stdoutTruncated: Bool?
    public var stderrTruncated: Bool?

    public init(
        name: StepName, status: SandboxStatus, exitCode: Int?, cpuTimeS: Double, wallTimeS: Double,
        peakMemoryBytes: Int, stdout: String = "", stderr: String = "", signal: Int? = nil,
        limitsHit: [LimitName]? = nil, stdoutTruncated: Bool? = nil, stderrTruncated: Bool? = nil
    ) {
        self.name = name
        self.status = status
        self.exitCode = exitCode
        self.cpuTimeS = cpuTimeS
        self.wallTimeS = wallTimeS
        self.peakMemoryBytes = peakMemoryBytes
        self.stdout = stdout
        self.stderr = stderr
        self.signal = signal
        self.limitsHit = limitsHit
        self.stdoutTruncated = stdoutTruncated
        self.stderrTruncated = stderrTruncated
    }

    enum CodingKeys: String, CodingKey {
        case name, status
        case exitCode = "exit_code"
        case cpuTimeS = "cpu_time_s"
        case wallTimeS = "wall_time_s"
        case peakMemoryBytes = "peak_memory_bytes"
        case stdout, stderr, signal
        case limitsHit = "limits_hit"
        case stdoutTruncated = "stdout_truncated"
        case stderrTruncated = "stderr_truncated"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(StepName.self, forKey: .name)
        status = try container.decode(SandboxStatus.self, forKey: .status)
        exitCode = try container.decodeIfPresent(Int.self, forKey: .exitCode)
        cpuTimeS = try container.decode(Double.self, forKey: .cpuTimeS)
        wallTimeS = try container.decode(Double.self, forKey: .wallTimeS)
        peakMemoryBytes = try container.decode(Int.self, forKey: .peakMemoryBytes)
        stdout = try container.decodeIfPresent(String.self, forKey: .stdout) ?? ""
        stderr = try container.decodeIfPresent(String.self, forKey: .stderr) ?? ""
        signal = try container.decodeIfPresent(Int.self, forKey: .signal)
        limitsHit = try container.decodeIfPresent([LimitName].self, forKey: .limitsHit)
        stdoutTruncated = try container.decodeIfPresent(Bool.self, forKey: .stdoutTruncated)
        stderrTruncated = try container.decodeIfPresent(Bool.self, forKey: .stderrTruncated)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(status, forKey: .status)
        try container.encode(exitCode, forKey: .exitCode)  // explicit null
        try container.encode(cpuTimeS, forKey: .cpuTimeS)
        try container.encode(wallTimeS, forKey: .wallTimeS)
        try container.encode(peakMemoryBytes, forKey: .peakMemoryBytes)
        try container.encode(stdout, forKey: .stdout)
        try container.encode(stderr, forKey: .stderr)
        try container.encodeIfPresent(signal, forKey: .signal)
        try container.encodeIfPresent(limitsHit, forKey: .limitsHit)
        try container.encodeIfPresent(stdoutTruncated, forKey: .stdoutTruncated)
        try container.encodeIfPresent(stderrTruncated, forKey: .stderrTruncated)
    }
}

/// Resources a job used over all its steps.
public struct ResourceUsage: Codable, Sendable, Hashable {
    public var cpuTimeS: Double
    public var wallTimeS: Double
    public var peakMemoryBytes: Int

    public init(cpuTimeS: Double = 0, wallTimeS: Double = 0, peakMemoryBytes: Int = 0) {
        self.cpuTimeS = cpuTimeS
        self.wallTimeS = wallTimeS
        self.peakMemoryBytes = peakMemoryBytes
    }

    /// CPU and wall time add up; peak memory is the largest of the steps' peaks.
    public init(steps: [StepResult]) {
        self.init(
            cpuTimeS: steps.reduce(0) { $0 + $1.cpuTimeS },
            wallTimeS: steps.reduce(0) { $0 + $1.wallTimeS },
            peakMemoryBytes: steps.map(\.peakMemoryBytes).max() ?? 0)
    }

    enum CodingKeys: String, CodingKey {
        case cpuTimeS = "cpu_time_s"
        case wallTimeS = "wall_time_s"
        case peakMemoryBytes = "peak_memory_bytes"
    }
}
