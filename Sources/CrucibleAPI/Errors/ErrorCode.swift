// The machine-readable `code` of an error reply. It is an open set (a newer server may send codes an older
// client does not know), so it is a string wrapper rather than a closed enum; the HTTP status follows from it.

public struct ErrorCode: RawRepresentable, Codable, Sendable, Hashable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }

    // 400: the request is malformed; `field` says where.
    public static let invalidRequest: ErrorCode = "invalid_request"
    public static let invalidTask: ErrorCode = "invalid_task"
    public static let invalidCandidate: ErrorCode = "invalid_candidate"
    public static let invalidRun: ErrorCode = "invalid_run"
    public static let invalidWeights: ErrorCode = "invalid_weights"
    public static let invalidJudgement: ErrorCode = "invalid_judgement"
    public static let invalidQuery: ErrorCode = "invalid_query"
    // 401, 403, 404.
    public static let unauthorized: ErrorCode = "unauthorized"
    public static let forbidden: ErrorCode = "forbidden"
    public static let notFound: ErrorCode = "not_found"
    // 409: the request conflicts with stored state.
    public static let conflict: ErrorCode = "conflict"
    public static let duplicateID: ErrorCode = "duplicate_id"
    public static let staleLease: ErrorCode = "stale_lease"
    // 413, 429.
    public static let tooLarge: ErrorCode = "too_large"
    public static let rateLimited: ErrorCode = "rate_limited"
    // 5xx: our fault, not the caller's.
    public static let internalError: ErrorCode = "internal"
    public static let unavailable: ErrorCode = "unavailable"

    /// The HTTP status a server answers with for this code; unknown `invalid_*` codes are 400, others 500.
    public var httpStatus: Int {
        switch self {
        case .unauthorized: 401
        case .forbidden: 403
        case .notFound: 404
        case .conflict, .duplicateID, .staleLease: 409
        case .tooLarge: 413
        case .rateLimited: 429
        case .unavailable: 503
        case .internalError: 500
        default: rawValue.hasPrefix("invalid_") ? 400 : 500
        }
    }
}
