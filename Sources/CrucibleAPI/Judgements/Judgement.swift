import Foundation

// `POST /v1/judgements`: a score for one job from outside the sandbox. The leaderboard blends judges:
// automated 40, staff 25, user 20, self-review 7.5, team review 7.5, renormalised over the judges present.

public enum JudgeKind: String, WireEnum {
    case staff, user
    case selfReview = "self_review"
    case teamReview = "team_review"
    public static let wireName = "judge kind"
}

public struct JudgementRequest: Codable, Sendable, Hashable {
    public var jobID: String
    public var kind: JudgeKind
    /// 0–100, like the automated score.
    public var score: Double
    /// Who judged; null lets the server record the token's owner.
    public var author: String?
    public var comment: String?

    public init(jobID: String, kind: JudgeKind, score: Double, author: String? = nil, comment: String? = nil) {
        self.jobID = jobID
        self.kind = kind
        self.score = score
        self.author = author
        self.comment = comment
    }

    enum CodingKeys: String, CodingKey {
        case jobID = "job_id"
        case kind, score, author, comment
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(jobID, forKey: .jobID)
        try container.encode(kind, forKey: .kind)
        try container.encode(score, forKey: .score)
        try container.encode(author, forKey: .author)  // explicit null
        try container.encode(comment, forKey: .comment)  // explicit null
    }
}

/// The `201` reply: the judgement as stored.
public struct Judgement: Codable, Sendable, Hashable {
    public var id: String
    public var jobID: String
    public var kind: JudgeKind
    public var score: Double
    public var author: String?
    public var comment: String?
    public var createdAt: Date

    public init(
        id: String, jobID: String, kind: JudgeKind, score: Double, author: String?, comment: String?, createdAt: Date
    ) {
        self.id = id
        self.jobID = jobID
        self.kind = kind
        self.score = score
        self.author = author
        self.comment = comment
        self.createdAt = createdAt
    }

    public init(id: String, request: JudgementRequest, createdAt: Date) {
        self.init(
            id: id, jobID: request.jobID, kind: request.kind, score: request.score, author: request.author,
            comment: request.comment, createdAt: createdAt)
    }

    enum CodingKeys: String, CodingKey {
        case id
        case jobID = "job_id"
        case kind, score, author, comment
        case createdAt = "created_at"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        jobID = try container.decode(String.self, forKey: .jobID)
        kind = try container.decode(JudgeKind.self, forKey: .kind)
        score = try container.decode(Double.self, forKey: .score)
        author = try container.decodeIfPresent(String.self, forKey: .author)
        comment = try container.decodeIfPresent(String.self, forKey: .comment)
        createdAt = try container.decodeTimestamp(forKey: .createdAt)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(jobID, forKey: .jobID)
        try container.encode(kind, forKey: .kind)
        try container.encode(score, forKey: .score)
        try container.encode(author, forKey: .author)
        try container.encode(comment, forKey: .comment)
        try container.encodeTimestamp(createdAt, forKey: .createdAt)
    }
}
