import Foundation

// `POST /v1/jobs/{id}/events`: an agent streams a job's progress in batches. `seq` counts from 1 per job
// and lease, so a batch re-sent after a timeout is recognised and not applied twice. The control plane turns
// these into run events (`RunEvent`) for watchers.

public enum JobEventType: String, WireEnum {
    case jobState = "job_state"
    case step, test
    public static let wireName = "job event type"
}

public struct JobEventBatch: Codable, Sendable, Hashable {
    public var leaseID: String
    public var events: [JobEvent]

    public init(leaseID: String, events: [JobEvent]) {
        self.leaseID = leaseID
        self.events = events
    }

    enum CodingKeys: String, CodingKey {
        case leaseID = "lease_id"
        case events
    }
}

/// One progress report. Flat like `RunEvent`: common keys plus `state`, `step` or `test` by type.
public struct JobEvent: Codable, Sendable, Hashable {
    public var seq: Int
    public var at: Date
    public var payload: JobEventPayload

    public init(seq: Int, at: Date, payload: JobEventPayload) {
        self.seq = seq
        self.at = at
        self.payload = payload
    }

    public var type: JobEventType { payload.type }

    enum CodingKeys: String, CodingKey {
        case seq, at, type, state, step, test
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        seq = try container.decode(Int.self, forKey: .seq)
        at = try container.decodeTimestamp(forKey: .at)
        switch try container.decode(JobEventType.self, forKey: .type) {
        case .jobState: payload = .jobState(try container.decode(JobState.self, forKey: .state))
        case .step: payload = .step(try container.decode(StepResult.self, forKey: .step))
        case .test: payload = .test(try container.decode(TestResult.self, forKey: .test))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(seq, forKey: .seq)
        try container.encodeTimestamp(at, forKey: .at)
        try container.encode(type, forKey: .type)
        switch payload {
        case .jobState(let state): try container.encode(state, forKey: .state)
        case .step(let step): try container.encode(step, forKey: .step)
        case .test(let test): try container.encode(test, forKey: .test)
        }
    }
}

public enum JobEventPayload: Sendable, Hashable {
    /// Only `running` is meaningful from an agent; final states come with the completion.
    case jobState(JobState)
    case step(StepResult)
    case test(TestResult)

    public var type: JobEventType {
        switch self {
        case .jobState: .jobState
        case .step: .step
        case .test: .test
        }
    }
}

/// The `202` reply: how many events were new (re-sent ones are not counted).
public struct JobEventsAccepted: Codable, Sendable, Hashable {
    public var accepted: Int

    public init(accepted: Int) {
        self.accepted = accepted
    }
}
