/// One external score for a job (`{"kind", "score"}` of a judgement).
public struct Judgement: Sendable, Equatable, Codable {
    public var kind: JudgeKind
    /// 0–100.
    public var score: Double

    public init(kind: JudgeKind, score: Double) {
        self.kind = kind
        self.score = score
    }

    func validate() throws(ScoringError) {
        guard kind != .automated else {
            throw ScoringError(
                code: .invalidJudgement, field: "kind",
                message: "automated scores are computed by Crucible, not submitted; "
                    + "use staff, user, self_review or team_review")
        }
        try Check.percentage(score, field: "score", code: .invalidJudgement)
    }
}
