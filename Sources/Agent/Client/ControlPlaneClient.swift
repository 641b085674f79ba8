import AsyncHTTPClient
import CrucibleAPI
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// A typed client of the control plane's v1 HTTP API: the agent protocol, and the submitter and operator
/// routes the command line uses.
///
/// Every method sends one request (retrying transient failures per `configuration.retry`), decodes the
/// documented reply, and throws `AgentError` for anything else: an error envelope (with status, code, field
/// and `Retry-After`), no connection, no answer in time, or an answer that is not what the API promises.
///
/// The client does not own its `HTTPClient`. Use `withHTTPClient` (or `makeHTTPClient` and shut it down
/// yourself) for one with an idle-read timeout, which is what notices a control plane that went silent in
/// the middle of a reply or an event stream. Requests go over that client unless another `transport` is given
/// (`crucible up`'s agent calls its control plane in the same process); event streams always use HTTP.
public struct ControlPlaneClient: Sendable {
    public struct Configuration: Sendable, Hashable {
        public var retry: RetryPolicy
        /// How long one attempt may wait for the response head (a long-polling lease adds its wait to this).
        public var requestTimeout: Duration
        /// Larger replies are refused rather than held in memory.
        public var maxResponseBytes: Int
        public var userAgent: String

        public init(
            retry: RetryPolicy = .default, requestTimeout: Duration = .seconds(30),
            maxResponseBytes: Int = 256 << 20, userAgent: String = "crucible-agent"
        ) {
            self.retry = retry
            self.requestTimeout = requestTimeout
            self.maxResponseBytes = maxResponseBytes
            self.userAgent = userAgent
        }
    }

    /// The control plane's base URL without a trailing slash, e.g. `http://127.0.0.1:8080`.
    public let baseURL: String
    /// The bearer token sent with every request but the public ones; nil sends none.
    public var token: String?
    public var configuration: Configuration
    let http: HTTPClient
    let transport: any ControlPlaneTransport
    let logger: Logger

    /// `baseURL` must be an `http` or `https` URL with a host; its path, if any, prefixes every route.
    public init(
        baseURL: String, token: String?, httpClient: HTTPClient, transport: (any ControlPlaneTransport)? = nil,
        configuration: Configuration = Configuration(), logger: Logger
    ) throws(AgentError) {
        self.baseURL = try Self.normalized(baseURL)
        self.transport = transport ?? HTTPTransport(http: httpClient, baseURL: self.baseURL)
        if let token {
            guard !token.isEmpty, !token.contains(where: { $0.isNewline || $0 == " " }) else {
                throw .invalidInput(
                    "the token is empty or contains spaces or line breaks; give the token alone (one line)",
                    field: "token")
            }
        }
        self.token = token
        self.configuration = configuration
        self.http = httpClient
        var logger = logger
        logger[metadataKey: "control_plane"] = "\(self.baseURL)"
        self.logger = logger
    }

    /// The same client with another bearer token (an agent switches to its own after registering).
    public func withToken(_ token: String?) -> ControlPlaneClient {
        var copy = self
        copy.token = token
        return copy
    }

    /// The same client with another retry policy.
    public func withRetry(_ retry: RetryPolicy) -> ControlPlaneClient {
        var copy = self
        copy.configuration.retry = retry
        return copy
    }

    // MARK: - HTTP clients

    /// An HTTP client for the control plane: connections time out after `connectTimeout`, and a reply or
    /// event stream that sends nothing for `idleTimeout` is given up (an event stream then reconnects).
    /// The idle timeout must exceed the longest lease wait. Call `shutdown()` on it when done.
    ///
    /// The connect timeout is also how long a refused connection takes to be reported: AsyncHTTPClient keeps
    /// trying to connect for a waiting request until then, so keep it short (the retry policy tries again).
    public static func makeHTTPClient(
        connectTimeout: Duration = .seconds(5), idleTimeout: Duration = .seconds(120)
    ) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(
            connect: .nanoseconds(Int64(connectTimeout.seconds * 1e9)),
            read: .nanoseconds(Int64(idleTimeout.seconds * 1e9)))
        configuration.decompression = .disabled
        configuration.redirectConfiguration = .disallow
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Runs `body` with an HTTP client from `makeHTTPClient` and shuts it down afterwards, whatever happens.
    public static func withHTTPClient<T: Sendable>(
        connectTimeout: Duration = .seconds(5), idleTimeout: Duration = .seconds(120),
        _ body: (HTTPClient) async throws -> T
    ) async throws -> T {
        let client = makeHTTPClient(connectTimeout: connectTimeout, idleTimeout: idleTimeout)
        do {
            let result = try await body(client)
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    // MARK: - Agent routes

    /// `POST /v1/agents/register`, with a registration token of role `agent`. The reply's token is the
    /// agent's own credential for every later call (`withToken`).
    public func register(_ registration: AgentRegistration) async throws(AgentError) -> AgentRegistrationReply {
        try await agentCall(.register(registration), reply: \.registrationReply)
    }

    /// `POST /v1/agents/lease`: long-polls up to `request.waitS` seconds for up to `request.maxJobs` jobs.
    public func lease(_ request: LeaseRequest) async throws(AgentError) -> LeaseReply {
        try await agentCall(
            .lease(request), reply: \.leaseReply,
            timeout: configuration.requestTimeout + .milliseconds(Int64(max(0, request.waitS) * 1000)))
    }

    /// `POST /v1/agents/heartbeat`: renews the given leases, reports load, learns of revocations and drains.
    public func heartbeat(_ request: HeartbeatRequest) async throws(AgentError) -> HeartbeatReply {
        try await agentCall(.heartbeat(request), reply: \.heartbeatReply)
    }

    /// `POST /v1/jobs/{id}/events`. Safe to re-send: the server ignores events it has (same lease and seq).
    public func postEvents(jobID: String, _ batch: JobEventBatch) async throws(AgentError) -> JobEventsAccepted {
        try await agentCall(.postEvents(jobID: jobID, batch), reply: \.eventsReply)
    }

    /// `POST /v1/jobs/{id}/complete`. A stale lease comes back as an `AgentError` with `isStaleLease`.
    public func complete(jobID: String, _ completion: CompletionRequest) async throws(AgentError) -> CompletionReply {
        try await agentCall(.complete(jobID: jobID, completion), reply: \.completionReply)
    }

    // MARK: - Submitter and operator routes

    /// `POST /v1/runs`. Not safe to repeat (it would make a second run), so it is retried only when the
    /// server surely did not take it (refused connection, 429, 503).
    public func createRun(_ submission: RunSubmission) async throws(AgentError) -> RunCreated {
        try await send(.createRun, body: submission, reply: RunCreated.self, idempotent: false)
    }

    public func getRun(id: String) async throws(AgentError) -> RunStatus {
        try await send(.getRun, id: id, reply: RunStatus.self)
    }

    /// Cancels the run's unfinished jobs; repeating it is harmless.
    public func cancelRun(id: String) async throws(AgentError) -> RunStatus {
        try await send(.cancelRun, id: id, reply: RunStatus.self)
    }

    public func getRunResults(id: String) async throws(AgentError) -> RunResults {
        try await send(.getRunResults, id: id, reply: RunResults.self)
    }

    /// `GET /v1/runs/{id}/events` as an async sequence of events. A dropped connection is resumed with
    /// `Last-Event-ID`, so no event is seen twice or missed; the sequence ends after the run's final
    /// `run_state` event (or when the server ends the stream after one).
    public func streamRunEvents(runID: String, after lastEventID: Int? = nil) -> RunEventStream {
        RunEventStream(client: self, runID: runID, lastEventID: lastEventID.map(String.init))
    }

    /// `POST /v1/tasks`: one task or several. Retried only when surely not taken (a repeat would be a 409).
    public func createTasks(_ upload: TaskUpload) async throws(AgentError) -> TaskUploadReply {
        try await send(.createTasks, body: upload, reply: TaskUploadReply.self, idempotent: false)
    }

    public func listTasks(_ filter: TaskFilter = TaskFilter()) async throws(AgentError) -> TaskList {
        try await send(.listTasks, query: filter.queryItems, reply: TaskList.self)
    }

    public func leaderboard(_ query: LeaderboardQuery = LeaderboardQuery()) async throws(AgentError) -> Leaderboard {
        try await send(.getLeaderboard, query: query.queryItems, reply: Leaderboard.self)
    }

    /// The leaderboard exactly as the server sent it (for `--format json`); checked to be a JSON object.
    public func leaderboardJSON(_ query: LeaderboardQuery = LeaderboardQuery()) async throws(AgentError) -> Data {
        let body = try await sendRaw(.getLeaderboard, query: query.queryItems)
        guard (try? JSONSerialization.jsonObject(with: body)) is [String: Any] else {
            throw invalidResponse(.getLeaderboard, "the body is not a JSON object", body: body, contentType: nil)
        }
        return body
    }

    public func listNodes() async throws(AgentError) -> NodeList {
        try await send(.listNodes, reply: NodeList.self)
    }

    public func drainNode(id: String) async throws(AgentError) -> NodeInfo {
        try await send(.drainNode, id: id, body: EmptyBody(), reply: NodeInfo.self)
    }

    /// `POST /v1/judgements`. Retried only when surely not taken (a repeat would record it twice).
    public func createJudgement(_ judgement: JudgementRequest) async throws(AgentError) -> Judgement {
        try await send(.createJudgement, body: judgement, reply: Judgement.self, idempotent: false)
    }

    public func healthz() async throws(AgentError) -> HealthReply {
        try await send(.healthz, reply: HealthReply.self)
    }

    /// `GET /readyz`. A control plane that is up but not ready answers 503 with its checks; that comes back
    /// as the reply (status `unavailable`), not as an error, so a caller can show what is wrong.
    public func readyz() async throws(AgentError) -> HealthReply {
        try await send(.readyz, reply: HealthReply.self, alsoAccepting: [503])
    }

    // MARK: - Sending

    struct EmptyBody: Encodable {}

    /// One call: encode, send with retries, decode the reply.
    func send<Reply: Decodable>(
        _ endpoint: APIEndpoint, id: String? = nil, query: [(name: String, value: String)] = [],
        body: (some Encodable)? = EmptyBody?.none, reply: Reply.Type, idempotent: Bool = true,
        timeout: Duration? = nil, alsoAccepting: Set<Int> = []
    ) async throws(AgentError) -> Reply {
        var encoded: Data?
        if let body {
            encoded = try Self.encoded(body)
        }
        let data = try await sendRaw(
            endpoint, id: id, query: query, body: encoded, idempotent: idempotent, timeout: timeout,
            alsoAccepting: alsoAccepting)
        return try decoded(Reply.self, from: data, endpoint: endpoint)
    }

    /// One call of the agent protocol, with retries: as a value when the transport takes them (`crucible up`'s
    /// agent), else as JSON over HTTP. `reply` picks the call's own kind of reply.
    func agentCall<Reply: Decodable>(
        _ call: AgentCall, reply: (AgentCallReply) -> Reply?, timeout: Duration? = nil
    ) async throws(AgentError) -> Reply {
        let endpoint = call.endpoint
        guard transport.takesAgentCalls else {
            let data = try await sendRaw(endpoint, id: call.id, body: try Self.encoded(call.body), timeout: timeout)
            return try decoded(Reply.self, from: data, endpoint: endpoint)
        }
        let answer = try await retrying(endpoint, idempotent: true) { () async throws(AgentError) -> AgentCallReply in
            do {
                return try await transport.call(
                    call, token: endpoint.requiresToken ? token : nil,
                    deadline: Self.deadline(after: timeout ?? configuration.requestTimeout))
            } catch let refusal as AgentCallRefusal {
                throw errorReply(
                    endpoint, status: refusal.status, envelope: refusal.envelope,
                    retryAfter: refusal.retryAfterS.map(Double.init))
            } catch {
                throw classify(error, endpoint: endpoint)
            }
        }
        guard let value = reply(answer) else {
            throw AgentError(
                kind: .invalidResponse, message: "the control plane answered \(endpoint) with another call's reply",
                endpoint: endpoint.description)
        }
        return value
    }

    static func encoded(_ body: some Encodable) throws(AgentError) -> Data {
        do {
            return try CrucibleJSON.encode(body)
        } catch {
            throw .invalidInput("the request body cannot be encoded: \(error)")
        }
    }

    func decoded<Reply: Decodable>(_ type: Reply.Type, from data: Data, endpoint: APIEndpoint) throws(AgentError)
        -> Reply
    {
        do {
            return try CrucibleJSON.decode(Reply.self, from: data)
        } catch {
            let failure = invalidResponse(
                endpoint, "the reply is not a valid \(Reply.self) (\(error))", body: data, contentType: nil)
            logger.error("garbage reply", metadata: ["endpoint": "\(endpoint)", "error": "\(failure)"])
            throw failure
        }
    }

    /// One call, the 2xx body (or one of `alsoAccepting`'s) as bytes.
    func sendRaw(
        _ endpoint: APIEndpoint, id: String? = nil, query: [(name: String, value: String)] = [], body: Data? = nil,
        idempotent: Bool = true, timeout: Duration? = nil, alsoAccepting: Set<Int> = []
    ) async throws(AgentError) -> Data {
        let request = try makeRequest(endpoint, id: id, query: query, body: body, accept: MediaType.json)
        return try await retrying(endpoint, idempotent: idempotent) { () async throws(AgentError) -> Data in
            try await attemptOnce(request, endpoint: endpoint, timeout: timeout, alsoAccepting: alsoAccepting)
        }
    }

    /// Runs `attempt` until it succeeds, fails for good, or the retry policy gives up.
    private func retrying<Reply>(
        _ endpoint: APIEndpoint, idempotent: Bool, _ attempt: () async throws(AgentError) -> Reply
    ) async throws(AgentError) -> Reply {
        var number = 1
        while true {
            do {
                return try await attempt()
            } catch {
                guard configuration.retry.shouldRetry(error, attempt: number, idempotent: idempotent) else {
                    if error.kind != .cancelled {
                        logger.debug(
                            "request failed",
                            metadata: ["endpoint": "\(endpoint)", "attempt": "\(number)", "error": "\(error)"])
                    }
                    throw error
                }
                let delay = configuration.retry.delay(retry: number - 1, retryAfter: error.retryAfter)
                logger.info(
                    "request failed; retrying",
                    metadata: [
                        "endpoint": "\(endpoint)", "attempt": "\(number)", "retry_in_s": "\(delay.seconds)",
                        "error": "\(error)",
                    ])
                try await Self.sleep(for: delay)
                number += 1
            }
        }
    }

    private func attemptOnce(
        _ request: ControlPlaneRequest, endpoint: APIEndpoint, timeout: Duration?, alsoAccepting: Set<Int>
    ) async throws(AgentError) -> Data {
        let reply: ControlPlaneReply
        do {
            reply = try await transport.send(
                request, deadline: Self.deadline(after: timeout ?? configuration.requestTimeout),
                maxBytes: configuration.maxResponseBytes, logger: logger)
        } catch {
            throw classify(error, endpoint: endpoint)
        }
        let data = Data(reply.body.readableBytesView)
        let contentType = reply.headers.first(name: "content-type")
        guard (200..<300).contains(reply.status) || alsoAccepting.contains(reply.status) else {
            throw errorReply(
                endpoint, status: reply.status, body: data, contentType: contentType,
                retryAfter: reply.headers.first(name: "retry-after"))
        }
        return data
    }

    // MARK: - Building requests and reading errors

    func makeRequest(
        _ endpoint: APIEndpoint, id: String?, query: [(name: String, value: String)], body: Data?, accept: String
    ) throws(AgentError) -> ControlPlaneRequest {
        var path = endpoint.path
        if path.contains("{id}") {
            guard let id, !id.isEmpty else {
                throw .invalidInput("\(endpoint) needs an id", field: "id")
            }
            // Ids are validated to need no escaping; escape anyway so a bad one cannot change the route.
            let escaped = id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? id
            path = endpoint.path(id: escaped)
        }
        var target = path
        if !query.isEmpty {
            var components = URLComponents()
            components.queryItems = query.map { URLQueryItem(name: $0.name, value: $0.value) }
            target += "?" + (components.percentEncodedQuery ?? "")
        }
        var request = ControlPlaneRequest(method: endpoint.method == .post ? .POST : .GET, target: target, headers: [:])
        request.headers.add(name: "Accept", value: accept)
        request.headers.add(name: "User-Agent", value: configuration.userAgent)
        if endpoint.requiresToken, let token {
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
        }
        if endpoint.method == .post {
            let bytes = body ?? Data("{}".utf8)
            request.headers.add(name: "Content-Type", value: MediaType.json)
            request.body = ByteBuffer(bytes: bytes)
        }
        return request
    }

    /// An error status: the `{"error": {…}}` envelope when there is one, else a message about the body.
    func errorReply(
        _ endpoint: APIEndpoint, status: Int, body: Data, contentType: String?, retryAfter: String?
    ) -> AgentError {
        let retryAfterSeconds = RetryPolicy.parseRetryAfter(retryAfter)
        guard let envelope = try? CrucibleJSON.decode(ErrorEnvelope.self, from: body) else {
            let error = AgentError(
                kind: .rejected,
                message: "\(Self.statusAdvice(status, endpoint: endpoint, token: token != nil)) "
                    + "(the body is not a Crucible error: \(Self.snippet(body, contentType: contentType)))",
                endpoint: endpoint.description, status: status, retryAfter: retryAfterSeconds,
                requestNotProcessed: status == 429 || status == 503)
            logger.warning("error reply without an error envelope", metadata: ["error": "\(error)"])
            return error
        }
        return errorReply(endpoint, status: status, envelope: envelope, retryAfter: retryAfterSeconds)
    }

    /// An error status with its envelope.
    func errorReply(_ endpoint: APIEndpoint, status: Int, envelope: ErrorEnvelope, retryAfter: Double?) -> AgentError {
        let advice = Self.statusAdvice(status, endpoint: endpoint, token: token != nil)
        return AgentError(
            kind: .rejected, message: "\(envelope.error.message)\(advice.isEmpty ? "" : "; \(advice)")",
            endpoint: endpoint.description, status: status, code: envelope.error.code, field: envelope.error.field,
            retryAfter: retryAfter, requestNotProcessed: status == 429 || status == 503)
    }

    /// What to do about a status, beyond the server's own message.
    static func statusAdvice(_ status: Int, endpoint: APIEndpoint, token: Bool) -> String {
        switch status {
        case 401:
            return token
                ? "the control plane does not accept this token; check --token-file or CRUCIBLE_TOKEN"
                : "no token was sent; give one with --token-file or CRUCIBLE_TOKEN"
        case 403:
            let roles = endpoint.roles.map(\.rawValue).sorted().joined(separator: " or ")
            return "this token's role may not call \(endpoint); use a token of role \(roles.isEmpty ? "admin" : roles)"
        case 404: return "check the id and the control plane URL"
        case 408: return "the control plane timed out reading the request; it was retried"
        case 413: return "the request is too large for the control plane; send less"
        case 429: return "the control plane is rate limiting this client; it was retried, try again later"
        case 500...: return "the control plane failed (HTTP \(status)); it was retried; check its logs"
        default: return status >= 400 ? "" : "HTTP \(status) is not a documented reply"
        }
    }

    func invalidResponse(_ endpoint: APIEndpoint, _ what: String, body: Data, contentType: String?) -> AgentError {
        AgentError(
            kind: .invalidResponse,
            message: "the control plane at \(baseURL) answered with something unexpected: \(what); got "
                + "\(Self.snippet(body, contentType: contentType)). Check that the URL points at a Crucible control "
                + "plane of a matching version",
            endpoint: endpoint.description)
    }

    static func snippet(_ body: Data, contentType: String?) -> String {
        let type = contentType.map { "\($0), " } ?? ""
        if body.isEmpty { return "\(type)an empty body" }
        let text = String(decoding: body.prefix(160), as: UTF8.self)
            .replacingOccurrences(of: "\n", with: " ")
        return "\(type)\(body.count) bytes: \(text.debugDescription)\(body.count > 160 ? "…" : "")"
    }

    /// An AsyncHTTPClient or NIO error as an `AgentError`: no connection, no answer in time, or cancelled.
    func classify(_ error: any Error, endpoint: APIEndpoint) -> AgentError {
        if error is CancellationError || Task.isCancelled {
            return .cancelled
        }
        let route = endpoint.description
        if error is NIOTooManyBytesError {
            return AgentError(
                kind: .invalidResponse,
                message: "the reply is larger than \(configuration.maxResponseBytes) bytes; it was not read",
                endpoint: route)
        }
        let reach = "check --control-plane and that the control plane is running"
        if let error = error as? HTTPClientError {
            if error == .connectTimeout {
                return AgentError(
                    kind: .timeout, message: "could not connect to \(baseURL) in time; \(reach)", endpoint: route,
                    requestNotProcessed: true)
            }
            if [.deadlineExceeded, .readTimeout, .writeTimeout].contains(error) {
                return AgentError(
                    kind: .timeout, message: "the control plane at \(baseURL) did not answer in time (\(error))",
                    endpoint: route)
            }
            if [.invalidURL, .emptyHost, .emptyScheme].contains(error) {
                return .invalidInput(
                    "the control plane URL \(baseURL) is not usable (\(error))", field: "control-plane")
            }
            if error == .cancelled {
                return .cancelled
            }
        }
        if let error = error as? ChannelError, case .connectTimeout = error {
            return AgentError(
                kind: .timeout, message: "could not connect to \(baseURL) in time; \(reach)", endpoint: route,
                requestNotProcessed: true)
        }
        let refused =
            error is NIOConnectionError
            || (error as? IOError).map { [ECONNREFUSED, ENETUNREACH, EHOSTUNREACH].contains($0.errnoCode) } == true
        return AgentError(
            kind: .unreachable, message: "cannot reach the control plane at \(baseURL) (\(error)); \(reach)",
            endpoint: route, requestNotProcessed: refused)
    }

    static func deadline(after duration: Duration) -> NIODeadline {
        .now() + .nanoseconds(Int64(min(duration.seconds, 1e9) * 1e9))
    }

    static func sleep(for duration: Duration) async throws(AgentError) {
        do {
            try await Task.sleep(for: duration)
        } catch {
            throw .cancelled
        }
    }

    /// The URL as the client will use it, or an error naming `--control-plane`: lets a command line reject a
    /// bad URL before doing anything slow.
    public static func normalizedURL(_ raw: String) throws(AgentError) -> String {
        try normalized(raw)
    }

    static func normalized(_ raw: String) throws(AgentError) -> String {
        var text = raw.trimmingCharacters(in: .whitespaces)
        while text.hasSuffix("/") { text.removeLast() }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty,
            components.query == nil, components.fragment == nil
        else {
            throw .invalidInput(
                "'\(raw)' is not a control plane URL; give one like http://127.0.0.1:8080", field: "control-plane")
        }
        return text
    }
}
