// The one error type of this module. Validation collects every problem it finds (a CLI may list them all);
// a server answers with the first one, as an `ErrorEnvelope`, with the HTTP status its code implies.

public struct ValidationIssue: Sendable, Hashable, CustomStringConvertible {
    public var code: ErrorCode
    /// A field path such as `tasks[3].language` or `candidates[0].files["../x"]`; nil for the whole body.
    public var field: String?
    public var message: String

    public init(code: ErrorCode, field: String?, message: String) {
        self.code = code
        self.field = field
        self.message = message
    }

    public var description: String {
        if let field {
            return "\(field): \(message)"
        }
        return message
    }

    public var envelope: ErrorEnvelope {
        ErrorEnvelope(code: code, message: message, field: field)
    }
}

public struct CrucibleAPIError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Every problem found, in the order of the request body; never empty.
    public let issues: [ValidationIssue]

    public init(_ first: ValidationIssue, _ more: [ValidationIssue] = []) {
        self.issues = [first] + more
    }

    /// Nil when there is nothing to report, so callers can write `if let error = CrucibleAPIError(issues)`.
    public init?(_ issues: [ValidationIssue]) {
        guard let first = issues.first else {
            return nil
        }
        self.init(first, Array(issues.dropFirst()))
    }

    /// The issue a server reports: the first bad-input one when there is any, so that a body that is both
    /// malformed and repeats an id is answered 400 (fix it) rather than 409 (it conflicts).
    public var first: ValidationIssue {
        issues.first { $0.code.httpStatus != 409 } ?? issues[0]
    }

    public var httpStatus: Int { first.code.httpStatus }

    public var envelope: ErrorEnvelope { first.envelope }

    public var description: String {
        issues.map(\.description).joined(separator: "\n")
    }
}
