import CrucibleAPI
import Foundation
import Hummingbird
import Logging

/// Every v1 route, registered from the `APIEndpoint` table so the router, the roles and
/// controlplane/openapi.yaml cannot drift apart (a test holds the three together).
///
/// Each handler runs inside `serve` (and an agent's call in this process inside `answer`): both authenticate the
/// bearer token, check the role, apply the token's rate limit, turn every error into the JSON envelope and
/// record metrics.
public struct ControlPlaneAPI: Sendable {
    public let store: Store
    let metrics: ControlPlaneMetrics
    let bell: EventBell
    let limiter = RateLimiter()
    let logger: Logger
    /// Largest body per route kind.
    let maxRunBody = 32 * 1024 * 1024
    let maxSmallBody = 1024 * 1024
    let maxCompletionBody = 16 * 1024 * 1024
    /// An event stream is closed after this long; the client reconnects with `Last-Event-ID` and loses nothing.
    /// Bounded streams let proxies, load balancers and a graceful shutdown drain connections.
    let maxStreamDuration: Duration
    /// The toolchains' rules for tasks and candidates (file names, reserved paths, modes); nil when the
    /// toolchain files could not be read, and then the agents refuse a bad job instead.
    let rules: (any SubmissionRules)?

    public init(
        store: Store, metrics: ControlPlaneMetrics, bell: EventBell, logger: Logger,
        maxStreamDuration: Duration = .seconds(300), rules: (any SubmissionRules)? = nil
    ) {
        self.store = store
        self.metrics = metrics
        self.bell = bell
        self.logger = logger
        self.maxStreamDuration = maxStreamDuration
        self.rules = rules
    }

    typealias Handler = @Sendable (Request, ControlPlaneContext, Principal?) async throws -> Response

    func register(on router: Router<ControlPlaneContext>) {
        add(router, .createRun, createRun)
        add(router, .getRun, getRun)
        add(router, .getRunResults, getRunResults)
        add(router, .getRunEvents, getRunEvents)
        add(router, .cancelRun, cancelRun)
        add(router, .getRunPreferences, getRunPreferences)
        add(router, .createTasks, createTasks)
        add(router, .listTasks, listTasks)
        add(router, .createJudgement, createJudgement)
        add(router, .getLeaderboard, getLeaderboard)
        add(router, .listNodes, listNodes)
        add(router, .drainNode, drainNode)
        add(router, .registerAgent, registerAgent)
        add(router, .leaseJobs, leaseJobs)
        add(router, .heartbeat, heartbeat)
        add(router, .postJobEvents, postJobEvents)
        add(router, .completeJob, completeJob)
        add(router, .healthz, healthz)
        add(router, .readyz, readyz)
        add(router, .metrics, metricsText)
    }

    /// The router's form of an API path: `{id}` → `:id`.
    static func routerPath(_ endpoint: APIEndpoint) -> RouterPath {
        RouterPath(endpoint.path.replacingOccurrences(of: "{id}", with: ":id"))
    }

    private func add(_ router: Router<ControlPlaneContext>, _ endpoint: APIEndpoint, _ handler: @escaping Handler) {
        let path = Self.routerPath(endpoint)
        let responder: @Sendable (Request, ControlPlaneContext) async throws -> Response = { request, context in
            await serve(endpoint, request, context, handler)
        }
        switch endpoint.method {
        case .get: router.get(path, use: responder)
        case .post: router.post(path, use: responder)
        }
    }

    private func serve(
        _ endpoint: APIEndpoint, _ request: Request, _ context: ControlPlaneContext, _ handler: Handler
    ) async -> Response {
        let result = await perform(
            endpoint, authorization: request.headers[.authorization], status: { Int($0.status.code) },
            work: { principal in try await handler(request, context, principal) })
        switch result {
        case .success(let reply): return reply
        case .failure(let error): return HTTPSupport.error(error)
        }
    }

    /// One request of `endpoint`, however it came: authenticates the caller (`authorization` is the header's
    /// value), runs `work`, turns a failure into the error to answer with (logged), and records the request's
    /// metrics with the status it answers (`status` of a reply, or the error's).
    func perform<Reply>(
        _ endpoint: APIEndpoint, authorization: String?, status: (Reply) -> Int,
        work: (Principal?) async throws -> Reply
    ) async -> Result<Reply, ControlPlaneError> {
        let started = ContinuousClock.now
        let result: Result<Reply, ControlPlaneError>
        var principal: Principal?
        do {
            principal = try await authorize(endpoint, authorization: authorization)
            result = .success(try await work(principal))
        } catch let error as ControlPlaneError {
            log(error, endpoint, principal)
            result = .failure(error)
        } catch let error as CrucibleAPIError {
            let converted = ControlPlaneError(error)
            log(converted, endpoint, principal)
            result = .failure(converted)
        } catch {
            logger.error(
                "request failed", metadata: ["operation": "\(endpoint.operationID)", "error": "\(error)"])
            result = .failure(
                ControlPlaneError(
                    .internalError, "the control plane failed to answer; retry, and report it if it persists"))
        }
        let code: Int
        switch result {
        case .success(let reply): code = status(reply)
        case .failure(let error): code = error.httpStatus
        }
        metrics.request(
            operation: endpoint.operationID, method: endpoint.method.rawValue, status: code,
            duration: ContinuousClock.now - started)
        return result
    }

    private func log(_ error: ControlPlaneError, _ endpoint: APIEndpoint, _ principal: Principal?) {
        let metadata: Logger.Metadata = [
            "operation": "\(endpoint.operationID)", "status": "\(error.httpStatus)", "code": "\(error.code)",
            "field": "\(error.field ?? "-")", "token": "\(principal?.tokenID ?? "-")",
        ]
        if error.httpStatus >= 500 {
            logger.error("request failed: \(error.message)", metadata: metadata)
        } else {
            logger.info("request refused: \(error.message)", metadata: metadata)
        }
    }

    /// The caller of a route that needs a token, after its role and rate limit are checked.
    private func authorize(_ endpoint: APIEndpoint, authorization: String?) async throws -> Principal? {
        guard endpoint.requiresToken else {
            return nil
        }
        guard let header = authorization else {
            throw ControlPlaneError(
                .unauthorized, "no bearer token; send \"Authorization: Bearer <token>\" (see crucible tokens create)")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty, parts[1].count <= 256 else {
            throw ControlPlaneError(.unauthorized, "the Authorization header is not \"Bearer <token>\"")
        }
        guard let principal = try await store.principal(secret: String(parts[1])) else {
            throw ControlPlaneError(.unauthorized, "the bearer token is unknown or revoked; ask an admin for a new one")
        }
        guard endpoint.allows(principal.role) else {
            let roles = endpoint.roles.map(\.rawValue).sorted().joined(separator: " or ")
            throw ControlPlaneError(
                .forbidden, "\(endpoint) needs a token of role \(roles); yours is \(principal.role.rawValue)")
        }
        if let wait = await limiter.admit(key: principal.tokenID, ratePerS: principal.ratePerS) {
            throw ControlPlaneError(
                .rateLimited, "over this token's limit of \(principal.ratePerS) requests a second; retry in \(wait) s",
                retryAfterS: wait)
        }
        return principal
    }
}

extension Principal {
    /// Non-nil on every route that requires a token (`serve` checked it).
    static func required(_ principal: Principal?) throws -> Principal {
        guard let principal else {
            throw ControlPlaneError(.unauthorized, "no bearer token")
        }
        return principal
    }
}
