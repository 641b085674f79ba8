import Foundation

// `GET /v1/runs/{id}`: where a run and its jobs stand.

/// A job's life: queued → leased → running → completed | errored, or cancelled; back to queued when a lease
/// expires. `completed` means evaluated, whatever the verdict; `errored` means the infrastructure failed it.
public enum JobState: String, WireEnum {
    case queued, leased, running, completed, errored, cancelled
    public static let wireName = "job state"

    /// No further transitions happen from these.
    public var isFinal: Bool {
        switch self {
        case .completed, .errored, .cancelled: true
        case .queued, .leased, .running: false
        }
    }
}

public enum RunState: String, WireEnum {
    case queued, running, completed, cancelled
    public static let wireName = "run state"
}

public struct RunStatus: Codable, Sendable, Hashable {
    public var id: String
    public var name: String
    public var state: RunState
    public var jobs: JobStateCounts
    public var createdAt: Date
    /// Null until every job is final.
    public var completedAt: Date?

    public init(
        id: String, name: String, state: RunState, jobs: JobStateCounts, createdAt: Date, completedAt: Date? = nil
    ) {
        self.id = id
        self.name = name
        self.state = state
        self.jobs = jobs
        self.createdAt = createdAt
        self.completedAt = completedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, name, state, jobs
        case createdAt = "created_at"
        case completedAt = "completed_at"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        name = try container.decode(String.self, forKey: .name)
        state = try container.decode(RunState.self, forKey: .state)
        jobs = try container.decode(JobStateCounts.self, forKey: .jobs)
        createdAt = try container.decodeTimestamp(forKey: .createdAt)
        completedAt = try container.decodeTimestampIfPresent(forKey: .completedAt)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(state, forKey: .state)
        try container.encode(jobs, forKey: .jobs)
        try container.encodeTimestamp(createdAt, forKey: .createdAt)
        try container.encodeTimestamp(completedAt, forKey: .completedAt)
    }
}

/// How many of a run's jobs are in each state; every state is always present.
public struct JobStateCounts: Codable, Sendable, Hashable {
    public var queued: Int
    public var leased: Int
    public var running: Int
    public var completed: Int
    public var errored: Int
    public var cancelled: Int

    public init(
        queued: Int = 0, leased: Int = 0, running: Int = 0, completed: Int = 0, errored: Int = 0, cancelled: Int = 0
    ) {
        self.queued = queued
        self.leased = leased
        self.running = running
        self.completed = completed
        self.errored = errored
        self.cancelled = cancelled
    }

    /// Counts the given job states.
    public init(states: some Sequence<JobState>) {
        self.init()
        for state in states {
            self[state] += 1
        }
    }

    public subscript(state: JobState) -> Int {
        get {
            switch state {
            case .queued: queued
            case .leased: leased
            case .running: running
            case .completed: completed
            case .errored: errored
            case .cancelled: cancelled
            }
        }
        set {
            switch state {
            case .queued: queued = newValue
            case .leased: leased = newValue
            case .running: running = newValue
            case .completed: completed = newValue
            case .errored: errored = newValue
            case .cancelled: cancelled = newValue
            }
        }
    }

    public var total: Int { JobState.allCases.reduce(0) { $0 + self[$1] } }

    /// The run state these counts imply: a run with no unfinished job is cancelled when any of its jobs was
    /// (only cancelling the run cancels jobs), else completed.
    public var impliedRunState: RunState {
        if queued == total {
            return .queued
        }
        if queued + leased + running > 0 {
            return .running
        }
        return cancelled > 0 ? .cancelled : .completed
    }
}
