// A lint finding from the quality step (ruff, eslint, go vet, clippy, …).

public enum FindingSeverity: String, WireEnum {
    case error, warning, info
    public static let wireName = "severity"
}

public struct Finding: Codable, Sendable, Hashable {
    public var tool: String
    public var rule: String
    public var severity: FindingSeverity
    /// Workspace-relative path; null when the finding is not about one file.
    public var path: String?
    /// 1-based; null when the tool gives no line.
    public var line: Int?
    public var message: String

    public init(
        tool: String, rule: String, severity: FindingSeverity, path: String? = nil, line: Int? = nil, message: String
    ) {
        self.tool = tool
        self.rule = rule
        self.severity = severity
        self.path = path
        self.line = line
        self.message = message
    }

    enum CodingKeys: String, CodingKey {
        case tool, rule, severity, path, line, message
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(tool, forKey: .tool)
        try container.encode(rule, forKey: .rule)
        try container.encode(severity, forKey: .severity)
        try container.encode(path, forKey: .path)  // explicit null
        try container.encode(line, forKey: .line)  // explicit null
        try container.encode(message, forKey: .message)
    }
}
