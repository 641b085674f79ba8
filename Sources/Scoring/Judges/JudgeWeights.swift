/// How much each kind of judge counts in a job's final score.
///
/// Defaults: automated 40, staff 25, user 20, self_review 7.5, team_review 7.5. Judges with no
/// judgement for a job drop out and the others are renormalised. JSON: `{"automated": 40, ...}`;
/// decoding validates, and keys left out weigh 0.
public struct JudgeWeights: Sendable, Equatable, Codable {
    public var automated: Double
    public var staff: Double
    public var user: Double
    public var selfReview: Double
    public var teamReview: Double

    public static let `default` = JudgeWeights(automated: 40, staff: 25, user: 20, selfReview: 7.5, teamReview: 7.5)

    /// Field path used in error messages.
    static let field = "judge_weights"

    /// Not validated: call `validate()` (a `Scorer` does) before use.
    public init(automated: Double, staff: Double, user: Double, selfReview: Double, teamReview: Double) {
        self.automated = automated
        self.staff = staff
        self.user = user
        self.selfReview = selfReview
        self.teamReview = teamReview
    }

    /// A `judge_weights` object, validated. Names left out weigh 0; unknown names are an error.
    public init(validating raw: [String: Double]) throws(ScoringError) {
        let parsed = try WeightSet.parse(raw, as: JudgeKind.self, field: Self.field)
        self.init(
            automated: parsed[.automated] ?? 0,
            staff: parsed[.staff] ?? 0,
            user: parsed[.user] ?? 0,
            selfReview: parsed[.selfReview] ?? 0,
            teamReview: parsed[.teamReview] ?? 0)
    }

    public subscript(kind: JudgeKind) -> Double {
        switch kind {
        case .automated: automated
        case .staff: staff
        case .user: user
        case .selfReview: selfReview
        case .teamReview: teamReview
        }
    }

    /// Each weight finite and ≥ 0, positive sum; errors name the field, e.g. `judge_weights.staff`.
    public func validate() throws(ScoringError) {
        try WeightSet.validate(JudgeKind.allCases.map { ($0.rawValue, self[$0]) }, field: Self.field)
    }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode([String: Double].self)
        try self.init(validating: raw)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Dictionary(uniqueKeysWithValues: JudgeKind.allCases.map { ($0.rawValue, self[$0]) }))
    }
}
