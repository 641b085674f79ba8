import Foundation

// What `GET /v1/runs/{id}/events` streams as Server-Sent Events. Each event's `id` is monotonic within the
// run and doubles as the SSE id, so a client reconnecting with `Last-Event-ID: 41` gets events 42 onwards.
//
// One flat JSON object per event: the common keys (id, type, run_id, job_id, at) plus the keys of its type:
//   job_state  {"state": job state, "task_id", "model", "verdict": verdict or null}
//   step       {"step": StepResult}
//   test       {"test": TestResult}
//   score      {"score": JobScore}
//   run_state  {"state": run state}          (job_id is null)

public enum RunEventType: String, WireEnum {
    case jobState = "job_state"
    case step, test, score
    case runState = "run_state"
    public static let wireName = "event type"
}

public struct RunEvent: Codable, Sendable, Hashable {
    public var id: Int
    public var runID: String
    /// Null for run-wide events.
    public var jobID: String?
    public var at: Date
    public var payload: RunEventPayload

    public init(id: Int, runID: String, jobID: String?, at: Date, payload: RunEventPayload) {
        self.id = id
        self.runID = runID
        self.jobID = jobID
        self.at = at
        self.payload = payload
    }

    public var type: RunEventType { payload.type }

    enum CodingKeys: String, CodingKey {
        case id, type
        case runID = "run_id"
        case jobID = "job_id"
        case at
        case state
        case taskID = "task_id"
        case model, verdict, step, test, score
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(Int.self, forKey: .id)
        runID = try container.decode(String.self, forKey: .runID)
        jobID = try container.decodeIfPresent(String.self, forKey: .jobID)
        at = try container.decodeTimestamp(forKey: .at)
        switch try container.decode(RunEventType.self, forKey: .type) {
        case .jobState:
            payload = .jobState(
                JobStateChange(
                    state: try container.decode(JobState.self, forKey: .state),
                    taskID: try container.decode(String.self, forKey: .taskID),
                    model: try container.decode(String.self, forKey: .model),
                    verdict: try container.decodeIfPresent(Verdict.self, forKey: .verdict)))
        case .step: payload = .step(try container.decode(StepResult.self, forKey: .step))
        case .test: payload = .test(try container.decode(TestResult.self, forKey: .test))
        case .score: payload = .score(try container.decode(JobScore.self, forKey: .score))
        case .runState: payload = .runState(try container.decode(RunState.self, forKey: .state))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(type, forKey: .type)
        try container.encode(runID, forKey: .runID)
        try container.encode(jobID, forKey: .jobID)  // explicit null
        try container.encodeTimestamp(at, forKey: .at)
        switch payload {
        case .jobState(let change):
            try container.encode(change.state, forKey: .state)
            try container.encode(change.taskID, forKey: .taskID)
            try container.encode(change.model, forKey: .model)
            try container.encode(change.verdict, forKey: .verdict)  // explicit null
        case .step(let step): try container.encode(step, forKey: .step)
        case .test(let test): try container.encode(test, forKey: .test)
        case .score(let score): try container.encode(score, forKey: .score)
        case .runState(let state): try container.encode(state, forKey: .state)
        }
    }

    /// The event as one Server-Sent Events frame: `id`, `event` (the type) and `data` (the JSON object).
    public func serverSentEvent() throws -> ServerSentEvent {
        let data = try CrucibleJSON.encode(self)
        return ServerSentEvent(id: String(id), event: type.rawValue, data: String(decoding: data, as: UTF8.self))
    }

    /// The id to resume after, from a `Last-Event-ID` header; nil (start from the beginning) when absent or
    /// not a non-negative integer.
    public static func resumeID(lastEventID: String?) -> Int? {
        guard let raw = lastEventID?.trimmingCharacters(in: .whitespaces), let id = Int(raw), id >= 0 else {
            return nil
        }
        return id
    }
}

public enum RunEventPayload: Sendable, Hashable {
    case jobState(JobStateChange)
    case step(StepResult)
    case test(TestResult)
    case score(JobScore)
    case runState(RunState)

    public var type: RunEventType {
        switch self {
        case .jobState: .jobState
        case .step: .step
        case .test: .test
        case .score: .score
        case .runState: .runState
        }
    }
}

/// A job moved to a new state. Task and model ride along so a watcher can label the job without a lookup.
public struct JobStateChange: Sendable, Hashable {
    public var state: JobState
    public var taskID: String
    public var model: String
    /// Set once the job is completed or errored.
    public var verdict: Verdict?

    public init(state: JobState, taskID: String, model: String, verdict: Verdict? = nil) {
        self.state = state
        self.taskID = taskID
        self.model = model
        self.verdict = verdict
    }
}
