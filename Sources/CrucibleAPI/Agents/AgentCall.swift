// The agent protocol's calls as values, for an agent that runs in its control plane's own process
// (`crucible up`): the same routes, checks and replies as over HTTP, without encoding a value to JSON only to
// decode it again on the other side.

/// One call of the agent protocol with its request body: each case is one route of `APIEndpoint`.
public enum AgentCall: Sendable {
    case register(AgentRegistration)
    case lease(LeaseRequest)
    case heartbeat(HeartbeatRequest)
    case postEvents(jobID: String, JobEventBatch)
    case complete(jobID: String, CompletionRequest)

    /// The route this call stands for (its roles, its name in logs and metrics).
    public var endpoint: APIEndpoint {
        switch self {
        case .register: .registerAgent
        case .lease: .leaseJobs
        case .heartbeat: .heartbeat
        case .postEvents: .postJobEvents
        case .complete: .completeJob
        }
    }

    /// The `{id}` of the route's path, for the calls that have one.
    public var id: String? {
        switch self {
        case .register, .lease, .heartbeat: nil
        case .postEvents(let jobID, _), .complete(let jobID, _): jobID
        }
    }

    /// The request body, for sending the call as JSON over HTTP.
    public var body: any Encodable & Sendable {
        switch self {
        case .register(let registration): registration
        case .lease(let lease): lease
        case .heartbeat(let beat): beat
        case .postEvents(_, let batch): batch
        case .complete(_, let completion): completion
        }
    }
}

/// The reply to an `AgentCall`: the body the route answers with on success.
public enum AgentCallReply: Sendable {
    case registered(AgentRegistrationReply)
    case leased(LeaseReply)
    case heartbeat(HeartbeatReply)
    case eventsAccepted(JobEventsAccepted)
    case completed(CompletionReply)

    public var registrationReply: AgentRegistrationReply? {
        if case .registered(let reply) = self { reply } else { nil }
    }
    public var leaseReply: LeaseReply? { if case .leased(let reply) = self { reply } else { nil } }
    public var heartbeatReply: HeartbeatReply? { if case .heartbeat(let reply) = self { reply } else { nil } }
    public var eventsReply: JobEventsAccepted? { if case .eventsAccepted(let reply) = self { reply } else { nil } }
    public var completionReply: CompletionReply? { if case .completed(let reply) = self { reply } else { nil } }
}

/// A call the control plane refused: what the route would have answered over HTTP.
public struct AgentCallRefusal: Error, Sendable, Hashable {
    public var status: Int
    public var envelope: ErrorEnvelope
    /// The `Retry-After` the route would have sent, in seconds.
    public var retryAfterS: Int?

    public init(status: Int, envelope: ErrorEnvelope, retryAfterS: Int? = nil) {
        self.status = status
        self.envelope = envelope
        self.retryAfterS = retryAfterS
    }
}
