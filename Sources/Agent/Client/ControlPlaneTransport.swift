import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// One request of `ControlPlaneClient`, whatever carries it.
public struct ControlPlaneRequest: Sendable {
    public var method: HTTPMethod
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
/// `InProcessAPI`), with the same routes, middleware and replies as over HTTP but without the HTTP framing, the
/// sockets and the thread hops, about 2 ms of CPU a job under `crucible up`.
public struct InProcessTransport: ControlPlaneTransport {
    public typealias Respond = @Sendable (ControlPlaneRequest) async throws -> ControlPlaneReply
    let respond: Respond

    public init(_ respond: @escaping Respond) {
        self.respond = respond
    }

    public func send(
        _ request: ControlPlaneRequest, deadline: NIODeadline, maxBytes: Int, logger: Logger
    ) async throws -> ControlPlaneReply {
        let respond = respond
        // The deadline holds as over HTTP: a route that does not answer (a store that hangs) is a timeout the
        // client retries, not an agent stuck for ever.
        let answer = try await withThrowingTaskGroup(of: ControlPlaneReply?.self) { group in
            group.addTask { try await respond(request) }
            group.addTask {
                try await Task.sleep(for: .nanoseconds(max(0, (deadline - .now()).nanoseconds)))
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
        guard let reply = answer else { throw HTTPClientError.deadlineExceeded }
        guard reply.body.readableBytes <= maxBytes else { throw NIOTooManyBytesError(maxBytes: maxBytes) }
        return reply
    }
}
