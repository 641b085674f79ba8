import CrucibleAPI
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// The API answered in this process, without a socket: for a client that runs beside the server (`crucible up`'s
/// own agent).
///
/// A request takes the same path as one from the network — the same middleware (authentication, errors as the
/// JSON envelope), routes and limits — and gets the same reply; only the HTTP framing and the loopback round trip
/// are skipped (with the thread hops between NIO and the caller).
public struct InProcessAPI: Sendable {
    /// One reply: status, headers and the whole body.
    public struct Reply: Sendable {
        public var status: Int
        public var headers: [(name: String, value: String)]
        public var body: ByteBuffer
    }

    let responder: RouterResponder<ControlPlaneContext>
    let api: ControlPlaneAPI
    let logger: Logger

    /// The API of `server`, as its HTTP application serves it.
    public init(server: ControlPlaneServer, logger: Logger) {
        responder = server.router().buildResponder()
        api = server.api
        var logger = logger
        logger[metadataKey: "transport"] = "in-process"
        self.logger = logger
    }

    /// Answers one request. `target` is the path with its query (`/v1/agents/lease`, `/v1/tasks?language=go`).
    /// A header name HTTP does not allow is left out, as a server would refuse it.
    public func respond(
        method: String, target: String, headers: [(name: String, value: String)], body: ByteBuffer?
    ) async throws -> Reply {
        var fields = HTTPFields()
        for (name, value) in headers {
            if let name = HTTPField.Name(name) { fields.append(HTTPField(name: name, value: value)) }
        }
        if let body { fields[.contentLength] = String(body.readableBytes) }
        guard let httpMethod = HTTPRequest.Method(method) else {
            // What an HTTP server answers to a request line it cannot parse.
            return try await Self.collect(
                HTTPSupport.error(ControlPlaneError(.invalidRequest, "'\(method)' is not an HTTP method")))
        }
        let request = Request(
            head: HTTPRequest(
                method: httpMethod, scheme: "http", authority: "localhost", path: target, headerFields: fields),
            body: RequestBody(buffer: body ?? ByteBuffer()))
        let context = ControlPlaneContext(inProcessWith: logger)
        let response: Response
        do {
            response = try await responder.respond(to: request, context: context)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            // What the HTTP server does with an error no middleware turned into a reply.
            logger.error("unhandled error in a route", metadata: ["error": "\(error)", "target": "\(target)"])
            response = Response(status: .internalServerError)
        }
        return try await Self.collect(response)
    }

    /// Answers one call of the agent protocol given as a value: the route's checks and reply without its JSON
    /// (see `ControlPlaneAPI.answer`).
    public func answer(_ call: AgentCall, token: String?) async throws(AgentCallRefusal) -> AgentCallReply {
        try await api.answer(call, token: token)
    }

    private static func collect(_ response: Response) async throws -> Reply {
        let collector = BodyCollector()
        try await response.body.write(collector)
        return Reply(
            status: response.status.code,
            headers: response.headers.map { (name: $0.name.canonicalName, value: $0.value) },
            body: collector.body.withLock { $0 })
    }
}

/// Gathers a response body written in pieces (a JSON reply is one).
private final class BodyCollector: ResponseBodyWriter, Sendable {
    let body = Mutex(ByteBuffer())

    func write(_ buffer: ByteBuffer) async throws {
        _ = body.withLock { $0.writeImmutableBuffer(buffer) }
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

extension ControlPlaneContext {
    /// A context for a request that came from this process: it has the logger, and no channel to come from.
    init(inProcessWith logger: Logger) {
        coreContext = .init(source: InProcessSource(logger: logger))
    }
}

private struct InProcessSource: RequestContextSource {
    let logger: Logger
}
