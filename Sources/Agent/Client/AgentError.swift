import CrucibleAPI

/// The one error type of the Agent module: what went wrong talking to the control plane, reading the
/// spool, or checking the node. Every message says what to do about it.
///
/// An error reply of the control plane keeps its HTTP status, its machine-readable `code`, the `field` it
/// names and the `Retry-After` it asked for, so callers can branch on them without parsing the message.
public struct AgentError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// The control plane answered with an error status; see `status`, `code` and `field`.
        case rejected
        /// No connection: refused, reset, closed early, name not resolved.
        case unreachable
        /// No answer in time (connect, response head, or an idle body).
        case timeout
        /// The answer was not what the API promises: not JSON, the wrong shape, the wrong content type.
        case invalidResponse
        /// A bad argument or configuration on this side (URL, token, flags, labels).
        case invalidInput
        /// The spool directory could not be written or read.
        case spool
        /// This node cannot run sandboxes.
        case nodeUnavailable
        /// The task was cancelled while waiting.
        case cancelled
    }

    public var kind: Kind
    /// The sentence a person reads (without the route prefix; `description` adds it).
    public var message: String
    /// The route, such as `POST /v1/agents/lease`; nil when no request was involved.
    public var endpoint: String?
    /// The HTTP status of an error reply.
    public var status: Int?
    /// The envelope's `code` of an error reply (or nil when the body was not an envelope).
    public var code: ErrorCode?
    /// The envelope's `field`: where in the request the problem is.
    public var field: String?
    /// Seconds the server asked to wait before trying again (`Retry-After`).
    public var retryAfter: Double?
    /// True when the request surely did not reach the server's handler (refused connection, 429, 503), so
    /// even a request that is not safe to repeat may be sent again.
    public var requestNotProcessed: Bool

    public init(
        kind: Kind, message: String, endpoint: String? = nil, status: Int? = nil, code: ErrorCode? = nil,
        field: String? = nil, retryAfter: Double? = nil, requestNotProcessed: Bool = false
    ) {
        self.kind = kind
        self.message = message
        self.endpoint = endpoint
        self.status = status
        self.code = code
        self.field = field
        self.retryAfter = retryAfter
        self.requestNotProcessed = requestNotProcessed
    }

    public var description: String {
        var text = endpoint.map { "\($0): " } ?? ""
        if let status {
            text += "\(status)"
            if let code { text += " \(code)" }
            text += ": "
        }
        text += message
        if let field, !message.contains(field) { text += " (field \(field))" }
        return text
    }

    /// Worth trying again: no connection, no answer in time, the server failed (5xx), or asked us to slow
    /// down (429) or took too long to read the request (408). Other 4xx replies would fail the same way again.
    public var isTransient: Bool {
        switch kind {
        case .unreachable, .timeout: return true
        case .rejected:
            guard let status else { return false }
            return status == 408 || status == 429 || status >= 500
        case .invalidResponse, .invalidInput, .spool, .nodeUnavailable, .cancelled: return false
        }
    }

    /// A stale lease (409 `stale_lease`): the job's result is no longer wanted from this agent.
    public var isStaleLease: Bool {
        status == 409 && (code == nil || code == .staleLease)
    }

    static func invalidInput(_ message: String, field: String? = nil) -> AgentError {
        AgentError(kind: .invalidInput, message: message, field: field)
    }

    static func spool(_ message: String) -> AgentError {
        AgentError(kind: .spool, message: message)
    }

    static let cancelled = AgentError(kind: .cancelled, message: "cancelled")
}
