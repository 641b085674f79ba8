import CrucibleAPI

/// The one error type of the control plane. Each carries the API error code (and so the HTTP status) it
/// answers with and a message that says what to do; `field` names the part of a request that is wrong.
public struct ControlPlaneError: Error, Sendable, CustomStringConvertible {
    public var code: ErrorCode
    public var message: String
    public var field: String?
    /// Seconds a client should wait before retrying (429, 503).
    public var retryAfterS: Int?

    public init(_ code: ErrorCode, _ message: String, field: String? = nil, retryAfterS: Int? = nil) {
        self.code = code
        self.message = message
        self.field = field
        self.retryAfterS = retryAfterS
    }

    public init(_ apiError: CrucibleAPIError) {
        self.init(apiError.first.code, apiError.first.message, field: apiError.first.field)
    }

    public var httpStatus: Int { code.httpStatus }
    public var envelope: ErrorEnvelope { ErrorEnvelope(code: code, message: message, field: field) }

    public var description: String {
        field.map { "\($0): \(message)" } ?? message
    }

    /// Stored data that cannot be read back: a bug or a damaged database, never the caller's fault.
    static func corrupt(_ detail: String) -> ControlPlaneError {
        ControlPlaneError(.internalError, "the store holds unreadable data (\(detail)); check the database")
    }

    /// The database failed or could not be reached.
    static func database(_ detail: String) -> ControlPlaneError {
        ControlPlaneError(.unavailable, "the database failed: \(detail)", retryAfterS: 1)
    }

    /// A uniqueness or other constraint refused a write; the store turns it into a message about the id.
    static func uniqueViolation(_ detail: String) -> ControlPlaneError {
        ControlPlaneError(.duplicateID, "a record with this id already exists (\(detail))")
    }

    var isUniqueViolation: Bool { code == .duplicateID }

    static func notFound(_ what: String, _ id: String) -> ControlPlaneError {
        ControlPlaneError(.notFound, "no \(what) \"\(id)\"; check the id (or the tenant of your token)")
    }

    static func configuration(_ message: String) -> ControlPlaneError {
        ControlPlaneError("invalid_configuration", message)
    }
}
