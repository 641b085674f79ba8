import Foundation

/// What happened to one program in one sandbox: the `crucible sandbox run --json` object.
public struct SandboxResult: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable, CaseIterable {
        /// Exited with code 0.
        case ok
        /// Exited with another code.
        case exited
        /// Killed by a signal that was not one of our limits.
        case signaled
        case cpuTimeLimit = "cpu_time_limit"
        case wallTimeLimit = "wall_time_limit"
        case memoryLimit = "memory_limit"
        case outputLimit = "output_limit"
        case setupError = "setup_error"
    }

    /// Names of limits, as `limits_hit` lists them.
    public enum Limit: String, Sendable, Codable, CaseIterable {
        case cpuTime = "cpu_time"
        case wallTime = "wall_time"
        case memory
        case pids
        case fileSize = "file_size"
        case output
    }

    public var status: Status
    public var exitCode: Int32?
    public var signal: Int32?
    public var cpuTimeS: Double
    public var wallTimeS: Double
    public var peakMemoryBytes: UInt64
    public var limitsHit: [Limit]
    public var stdout: String
    public var stderr: String
    public var stdoutTruncated: Bool
    public var stderrTruncated: Bool
    /// The raw bytes of stdout and stderr (the strings above replace invalid UTF-8). Not encoded.
    public var stdoutBytes: [UInt8] = []
    public var stderrBytes: [UInt8] = []
    /// When the request split the sandbox in two steps and the program reached the marker: what the first
    /// used (it ended well: the program said so). Everything above is then the second step's alone.
    /// Without it, a split sandbox never got past its first step, and everything above is that step's.
    /// Not encoded.
    public var firstStage: FirstStage?

    public struct FirstStage: Sendable, Equatable {
        public var cpuTimeS: Double
        public var wallTimeS: Double
        public var peakMemoryBytes: UInt64
        public var stdoutBytes: [UInt8]
        public var stderrBytes: [UInt8]
    }

    enum CodingKeys: String, CodingKey {
        case status
        case exitCode = "exit_code"
        case signal
        case cpuTimeS = "cpu_time_s"
        case wallTimeS = "wall_time_s"
        case peakMemoryBytes = "peak_memory_bytes"
        case limitsHit = "limits_hit"
        case stdout, stderr
        case stdoutTruncated = "stdout_truncated"
        case stderrTruncated = "stderr_truncated"
    }

    public init(
        status: Status, exitCode: Int32?, signal: Int32?, cpuTimeS: Double, wallTimeS: Double,
        peakMemoryBytes: UInt64, limitsHit: [Limit], stdoutBytes: [UInt8], stderrBytes: [UInt8],
        stdoutTruncated: Bool, stderrTruncated: Bool
    ) {
        self.status = status
        self.exitCode = exitCode
        self.signal = signal
        self.cpuTimeS = cpuTimeS
        self.wallTimeS = wallTimeS
        self.peakMemoryBytes = peakMemoryBytes
        self.limitsHit = limitsHit
        self.stdoutBytes = stdoutBytes
        self.stderrBytes = stderrBytes
        self.stdout = String(decoding: stdoutBytes, as: UTF8.self)
        self.stderr = String(decoding: stderrBytes, as: UTF8.self)
        self.stdoutTruncated = stdoutTruncated
        self.stderrTruncated = stderrTruncated
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        status = try container.decode(Status.self, forKey: .status)
        exitCode = try container.decodeIfPresent(Int32.self, forKey: .exitCode)
        signal = try container.decodeIfPresent(Int32.self, forKey: .signal)
        cpuTimeS = try container.decode(Double.self, forKey: .cpuTimeS)
        wallTimeS = try container.decode(Double.self, forKey: .wallTimeS)
        peakMemoryBytes = try container.decode(UInt64.self, forKey: .peakMemoryBytes)
        limitsHit = try container.decode([Limit].self, forKey: .limitsHit)
        stdout = try container.decode(String.self, forKey: .stdout)
        stderr = try container.decode(String.self, forKey: .stderr)
        stdoutTruncated = try container.decode(Bool.self, forKey: .stdoutTruncated)
        stderrTruncated = try container.decode(Bool.self, forKey: .stderrTruncated)
        stdoutBytes = Array(stdout.utf8)
        stderrBytes = Array(stderr.utf8)
    }

    /// Encodes every key, with explicit nulls: consumers check `"signal": null`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(status, forKey: .status)
        try container.encode(exitCode, forKey: .exitCode)
        try container.encode(signal, forKey: .signal)
        try container.encode(Self.rounded(cpuTimeS), forKey: .cpuTimeS)
        try container.encode(Self.rounded(wallTimeS), forKey: .wallTimeS)
        try container.encode(peakMemoryBytes, forKey: .peakMemoryBytes)
        try container.encode(limitsHit, forKey: .limitsHit)
        try container.encode(stdout, forKey: .stdout)
        try container.encode(stderr, forKey: .stderr)
        try container.encode(stdoutTruncated, forKey: .stdoutTruncated)
        try container.encode(stderrTruncated, forKey: .stderrTruncated)
    }

    /// Microseconds are as fine as the cgroup counts; more digits would only be noise.
    private static func rounded(_ seconds: Double) -> Double {
        (seconds * 1_000_000).rounded() / 1_000_000
    }

    /// One JSON object on one line.
    public func jsonString() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
