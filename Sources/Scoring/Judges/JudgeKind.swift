/// Who judged a job. `automated` is the score Scoring computes; the others come in through
/// `POST /v1/judgements`.
public enum JudgeKind: String, Sendable, Codable, CaseIterable {
    case automated
    case staff
    case user
    case selfReview = "self_review"
    case teamReview = "team_review"
}
