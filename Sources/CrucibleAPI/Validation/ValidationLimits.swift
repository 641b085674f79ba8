// The caps validation enforces. They are parameters (a deployment may raise them), with defaults sized for
// benchmark tasks: source files are small, runs can be large. Sizes count UTF-8 bytes.

public struct ValidationLimits: Sendable, Hashable {
    // Identifiers and names.
    public var maxIDLength = 128
    public var maxModelLength = 200
    public var maxNameLength = 200
    public var maxCommentBytes = 16 * 1024

    // Files (per file map: a task's files, tests or reference, a candidate's files).
    public var maxPathBytes = 256
    public var maxFilesPerMap = 256
    public var maxFileBytes = 1024 * 1024
    public var maxTotalFileBytes = 4 * 1024 * 1024

    // Tasks.
    public var maxPromptBytes = 256 * 1024
    public var maxIOCases = 1000

    // Runs.
    public var maxTasksPerRun = 1000
    public var maxCandidatesPerRun = 10_000

    // Task limits: the most a task may ask for.
    public var maxTimeSeconds: Double = 3600
    public var maxMemoryBytes = 64 * 1024 * 1024 * 1024
    public var maxPids = 65_536
    public var maxFileSizeBytes = 64 * 1024 * 1024 * 1024
    public var maxOutputBytes = 1024 * 1024 * 1024

    // Agent protocol.
    public var maxSlots = 1024
    public var maxLeaseWaitSeconds: Double = 300
    public var maxEventsPerBatch = 1000
    public var maxLabels = 64
    public var maxLabelValueLength = 256

    public init() {}

    public static let `default` = ValidationLimits()
}
