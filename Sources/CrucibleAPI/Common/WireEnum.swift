// A closed set of strings on the wire. Decoding rejects anything outside the set with a message that
// lists the allowed values, so a typo in a request becomes a 400 naming the field, not a silent default.

public protocol WireEnum: RawRepresentable, CaseIterable, Codable, Sendable, Hashable, CustomStringConvertible
where RawValue == String {
    /// What one value is called in messages, e.g. "language" or "job state".
    static var wireName: String { get }
}

extension WireEnum {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        guard let value = Self(rawValue: raw) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: Self.unknownValueMessage(raw))
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }

    /// The allowed strings, comma separated, in declaration order.
    public static var allowedValues: String {
        allCases.map(\.rawValue).joined(separator: ", ")
    }

    /// The message used when a string is not one of the cases.
    public static func unknownValueMessage(_ raw: String) -> String {
        "unknown \(wireName) \"\(raw)\"; use one of: \(allowedValues)"
    }

    /// Parses a query parameter or other loose string, reporting a validation issue at `field` when unknown.
    public static func parse(
        _ raw: String, field: String, code: ErrorCode = .invalidQuery
    ) -> Result<Self, CrucibleAPIError> {
        if let value = Self(rawValue: raw) {
            return .success(value)
        }
        return .failure(CrucibleAPIError(ValidationIssue(code: code, field: field, message: unknownValueMessage(raw))))
    }
}
