/// Severity of a lint finding, as the job result's `findings[].severity` reports it.
public enum Severity: String, Sendable, Codable, CaseIterable {
    case error
    case warning
    case info
}

/// How many lint findings a candidate has at each severity.
///
/// Scoring only needs the counts, not the findings themselves.
public struct FindingCounts: Sendable, Equatable, Codable {
    public var error: Int
    public var warning: Int
    public var info: Int

    public init(error: Int = 0, warning: Int = 0, info: Int = 0) {
        self.error = error
        self.warning = warning
        self.info = info
    }

    /// Counts a list of severities, e.g. `findings.map(\.severity)`.
    public init(severities: some Sequence<Severity>) {
        self.init()
        for severity in severities {
            switch severity {
            case .error: error += 1
            case .warning: warning += 1
            case .info: info += 1
            }
        }
    }

    public static let none = FindingCounts()

    public var total: Int { error + warning + info }

    func validate() throws(ScoringError) {
        try Check.nonNegative(error, field: "error", code: .invalidOutcome)
        try Check.nonNegative(warning, field: "warning", code: .invalidOutcome)
        try Check.nonNegative(info, field: "info", code: .invalidOutcome)
    }

    private enum CodingKeys: String, CodingKey {
        case error
        case warning
        case info
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        error = try container.decodeIfPresent(Int.self, forKey: .error) ?? 0
        warning = try container.decodeIfPresent(Int.self, forKey: .warning) ?? 0
        info = try container.decodeIfPresent(Int.self, forKey: .info) ?? 0
    }
}
