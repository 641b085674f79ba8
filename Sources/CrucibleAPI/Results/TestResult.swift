// One test case's outcome, as a toolchain's result parser reported it.

public enum TestStatus: String, WireEnum {
    case passed, failed, error, skipped
    public static let wireName = "test status"
}

public struct TestResult: Codable, Sendable, Hashable {
    public var name: String
    public var status: TestStatus
    /// Null when the test runner does not report durations.
    public var durationS: Double?
    /// The failure message; null for a passing test.
    public var message: String?

    public init(name: String, status: TestStatus, durationS: Double? = nil, message: String? = nil) {
        self.name = name
        self.status = status
        self.durationS = durationS
        self.message = message
    }

    enum CodingKeys: String, CodingKey {
        case name, status
        case durationS = "duration_s"
        case message
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(status, forKey: .status)
        try container.encode(durationS, forKey: .durationS)  // explicit null
        try container.encode(message, forKey: .message)  // explicit null
    }
}
