/// The status of one test, as the job result's `tests[].status` reports it.
public enum TestStatus: String, Sendable, Codable, CaseIterable {
    case passed
    case failed
    case error
    case skipped
}

/// One test (or io case) and how much it counts.
///
/// Framework tests weigh 1 each; io cases carry their own `weight`.
public struct TestOutcome: Sendable, Equatable, Codable {
    public var status: TestStatus
    public var weight: Double

    public init(status: TestStatus, weight: Double = 1) {
        self.status = status
        self.weight = weight
    }

    /// `passed` tests out of `total`, each of weight 1: for results that only carry counts
    /// (`tests_passed`, `tests_total`).
    public static func counts(passed: Int, total: Int) -> [TestOutcome] {
        let passing = max(0, min(passed, total))
        return Array(repeating: TestOutcome(status: .passed), count: passing)
            + Array(repeating: TestOutcome(status: .failed), count: max(0, total - passing))
    }

    private enum CodingKeys: String, CodingKey {
        case status
        case weight
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        status = try container.decode(TestStatus.self, forKey: .status)
        weight = try container.decodeIfPresent(Double.self, forKey: .weight) ?? 1
    }
}
