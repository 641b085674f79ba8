// Every error reply of the HTTP API:
// {"error": {"code": "invalid_task", "message": "…", "field": "tasks[3].language"}}.

public struct ErrorEnvelope: Codable, Sendable, Hashable {
    public var error: APIErrorBody

    public init(error: APIErrorBody) {
        self.error = error
    }

    public init(code: ErrorCode, message: String, field: String? = nil) {
        self.error = APIErrorBody(code: code, message: message, field: field)
    }
}

public struct APIErrorBody: Codable, Sendable, Hashable {
    public var code: ErrorCode
    /// A sentence for a person: what is wrong and what to do about it.
    public var message: String
    /// Where in the request body (or which query parameter) the problem is; `null` when it is not one field.
    public var field: String?

    public init(code: ErrorCode, message: String, field: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
    }

    private enum CodingKeys: String, CodingKey {
        case code, message, field
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(code, forKey: .code)
        try container.encode(message, forKey: .message)
        try container.encode(field, forKey: .field)  // explicit null: the key is always present
    }
}
