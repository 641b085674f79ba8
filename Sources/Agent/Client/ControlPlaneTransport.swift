import AsyncHTTPClient
import CrucibleAPI
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// One request of `ControlPlaneClient`, whatever carries it.
public struct ControlPlaneRequest: Sendable {
    public var method: NIOHTTP1.HTTPMethod
    /// The path and query under the control plane's base URL, e.g. `/v1/agents/lease`.
    public var target: String
    public var headers: HTTPHeaders
    public var body: ByteBuffer?

    /// The same request for AsyncHTTPClient, against `baseURL` (normalized: no trailing slash).
    func httpRequest(baseURL: String) -> HTTPClientRequest {
        var http = HTTPClientRequest(url: baseURL + target)
        http.method = method
        http.headers = headers
        if let body {
            http.body = .bytes(body)
        }
        return http
    }
}

/// A whole reply: status, headers and body.
public struct ControlPlaneReply: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: ByteBuffer

    public init(status: Int, headers: HTTPHeaders, body: ByteBuffer) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// How `ControlPlaneClient`'s requests reach the control plane: HTTP (`HTTPTransport`) for an agent on another
/// node, or a call into the same process for `crucible up`'s own agent.
public protocol ControlPlaneTransport: Sendable {
    /// Sends one request and reads its whole reply by `deadline`. A reply larger than `maxBytes` throws
    /// `NIOTooManyBytesError`; no reply by the deadline throws `HTTPClientError.deadlineExceeded`.
    func send(_ request: ControlPlaneRequest, deadline: NIODeadline, maxBytes: Int, logger: Logger) async throws
        -> ControlPlaneReply

    /// Whether `call` takes the agent protocol's calls as values. When false, the client sends them as HTTP
    /// requests through `send`.
    var takesAgentCalls: Bool { get }

    /// Answers one agent-protocol call by `deadline`, with `token` as its bearer token. A refusal throws
    /// `AgentCallRefusal`; no answer by the deadline throws `HTTPClientError.deadlineExceeded`.
    func call(_ call: AgentCall, token: String?, deadline: NIODeadline) async throws -> AgentCallReply
}

extension ControlPlaneTransport {
    public var takesAgentCalls: Bool { false }

    public func call(_ call: AgentCall, token: String?, deadline: NIODeadline) async throws -> AgentCallReply {
        throw AgentError.invalidInput("this transport carries HTTP requests only; send \(call.endpoint) as one")
    }
}

/// HTTP through AsyncHTTPClient.
public struct HTTPTransport: ControlPlaneTransport {
    let http: HTTPClient
    /// Normalized: no trailing slash.
    let baseURL: String

    public func send(
        _ request: ControlPlaneRequest, deadline: NIODeadline, maxBytes: Int, logger: Logger
    ) async throws -> ControlPlaneReply {
        let response = try await http.execute(
            request.httpRequest(baseURL: baseURL), deadline: deadline, logger: logger)
        let body = try await response.body.collect(upTo: maxBytes)
        return ControlPlaneReply(status: Int(response.status.code), headers: response.headers, body: body)
    }
}

/// A call into this process: `crucible up`'s agent reaches its own control plane this way (the control plane's
/// `InProcessAPI`), with the same routes, checks and replies as over HTTP but without the HTTP framing, the
/// sockets and the thread hops. The agent protocol's calls go as values (`calls`), without their JSON.
public struct InProcessTransport: ControlPlaneTransport {
    public typealias Respond = @Sendable (ControlPlaneRequest) async throws -> ControlPlaneReply
    /// Answers an agent-protocol call with the given bearer token.
    public typealias Calls = @Sendable (AgentCall, String?) async throws -> AgentCallReply
    let respond: Respond
    let calls: Calls?

    /// Without `calls`, the agent protocol's calls go through `respond` as JSON requests too.
    public init(_ respond: @escaping Respond, calls: Calls? = nil) {
        self.respond = respond
        self.calls = calls
    }

    public func send(
        _ request: ControlPlaneRequest, deadline: NIODeadline, maxBytes: Int, logger: Logger
    ) async throws -> ControlPlaneReply {
        let respond = respond
        let reply = try await Self.answer(by: deadline) { try await respond(request) }
        guard reply.body.readableBytes <= maxBytes else { throw NIOTooManyBytesError(maxBytes: maxBytes) }
        return reply
    }

    public var takesAgentCalls: Bool { calls != nil }

    public func call(_ call: AgentCall, token: String?, deadline: NIODeadline) async throws -> AgentCallReply {
        guard let calls else {
            throw AgentError.invalidInput("this transport was made without calls; send \(call.endpoint) as HTTP")
        }
        return try await Self.answer(by: deadline) { try await calls(call, token) }
    }

    /// The deadline holds as over HTTP: a route that does not answer (a store that hangs) is a timeout the
    /// client retries, not an agent stuck for ever.
    private static func answer<Reply: Sendable>(
        by deadline: NIODeadline, _ work: @escaping @Sendable () async throws -> Reply
    ) async throws -> Reply {
        let answer = try await withThrowingTaskGroup(of: Reply?.self) { group in
            group.addTask { try await work() }
            group.addTask {
                try await Task.sleep(for: .nanoseconds(max(0, (deadline - .now()).nanoseconds)))
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
        guard let reply = answer else { throw HTTPClientError.deadlineExceeded }
        return reply
    }
}
