import Foundation

// Every route of the v1 API with the roles allowed on it: one table that the control plane authorises with,
// clients build paths from, and the tests hold against controlplane/openapi.yaml.

public enum HTTPMethod: String, Sendable, Hashable, CaseIterable {
    case get = "GET"
    case post = "POST"
}

public struct APIEndpoint: Sendable, Hashable, CustomStringConvertible {
    public var method: HTTPMethod
    /// The path template, with `{id}` where an id goes, as in openapi.yaml.
    public var path: String
    /// The openapi `operationId`.
    public var operationID: String
    /// Roles whose tokens are accepted, besides `admin`. Empty with `requiresToken == false`: anyone.
    public var roles: Set<Role>
    public var requiresToken: Bool

    public init(
        _ method: HTTPMethod, _ path: String, _ operationID: String, roles: Set<Role>, requiresToken: Bool = true
    ) {
        self.method = method
        self.path = path
        self.operationID = operationID
        self.roles = roles
        self.requiresToken = requiresToken
    }

    public var description: String { "\(method.rawValue) \(path)" }

    /// Whether a token with this role may call the endpoint.
    public func allows(_ role: Role) -> Bool {
        !requiresToken || role == .admin || roles.contains(role)
    }

    /// The path with `{id}` replaced (ids are validated to need no percent-encoding).
    public func path(id: String) -> String {
        path.replacingOccurrences(of: "{id}", with: id)
    }

    static let anyToken: Set<Role> = [.submitter, .operator, .agent]

    public static let createRun = APIEndpoint(.post, "/v1/runs", "createRun", roles: [.submitter])
    public static let getRun = APIEndpoint(.get, "/v1/runs/{id}", "getRun", roles: [.submitter])
    public static let getRunResults = APIEndpoint(.get, "/v1/runs/{id}/results", "getRunResults", roles: [.submitter])
    public static let getRunEvents = APIEndpoint(.get, "/v1/runs/{id}/events", "getRunEvents", roles: [.submitter])
    public static let cancelRun = APIEndpoint(.post, "/v1/runs/{id}/cancel", "cancelRun", roles: [.submitter])
    public static let getRunPreferences = APIEndpoint(
        .get, "/v1/runs/{id}/preferences", "getRunPreferences", roles: [.submitter])
    public static let createTasks = APIEndpoint(.post, "/v1/tasks", "createTasks", roles: [.submitter])
    public static let listTasks = APIEndpoint(.get, "/v1/tasks", "listTasks", roles: [.submitter])
    public static let createJudgement = APIEndpoint(
        .post, "/v1/judgements", "createJudgement", roles: [.submitter, .operator])
    public static let getLeaderboard = APIEndpoint(.get, "/v1/leaderboard", "getLeaderboard", roles: anyToken)
    public static let listNodes = APIEndpoint(.get, "/v1/nodes", "listNodes", roles: [.operator])
    public static let drainNode = APIEndpoint(.post, "/v1/nodes/{id}/drain", "drainNode", roles: [.operator])
    public static let registerAgent = APIEndpoint(.post, "/v1/agents/register", "registerAgent", roles: [.agent])
    public static let leaseJobs = APIEndpoint(.post, "/v1/agents/lease", "leaseJobs", roles: [.agent])
    public static let heartbeat = APIEndpoint(.post, "/v1/agents/heartbeat", "heartbeat", roles: [.agent])
    public static let postJobEvents = APIEndpoint(.post, "/v1/jobs/{id}/events", "postJobEvents", roles: [.agent])
    public static let completeJob = APIEndpoint(.post, "/v1/jobs/{id}/complete", "completeJob", roles: [.agent])
    public static let healthz = APIEndpoint(.get, "/healthz", "healthz", roles: [], requiresToken: false)
    public static let readyz = APIEndpoint(.get, "/readyz", "readyz", roles: [], requiresToken: false)
    public static let metrics = APIEndpoint(.get, "/metrics", "metrics", roles: [], requiresToken: false)

    public static let all: [APIEndpoint] = [
        createRun, getRun, getRunResults, getRunEvents, cancelRun, getRunPreferences, createTasks, listTasks,
        createJudgement, getLeaderboard,
        listNodes, drainNode, registerAgent, leaseJobs, heartbeat, postJobEvents, completeJob, healthz, readyz,
        metrics,
    ]
}
