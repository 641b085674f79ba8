// A judgement names a job, scores it 0–100, and keeps its author and comment short.

extension JudgementRequest: Validatable, APIRequestBody {
    public func validationIssues(at path: FieldPath, limits: ValidationLimits) -> [ValidationIssue] {
        var collector = IssueCollector(code: .invalidJudgement)
        collector.add(
            contentsOf: IdentifierRules.issues(
                id: jobID, what: "job id", at: path.field("job_id"), code: .invalidJudgement, limits: limits))
        if !score.isFinite || score < 0 || score > 100 {
            collector.add(path.field("score"), "is \(score); give a score from 0 to 100")
        }
        if let author {
            collector.add(
                contentsOf: IdentifierRules.issues(
                    name: author, what: "author", maxLength: limits.maxNameLength, at: path.field("author"),
                    code: .invalidJudgement))
        }
        if let comment, comment.utf8.count > limits.maxCommentBytes {
            collector.tooLarge(
                path.field("comment"),
                "the comment is \(comment.utf8.count) bytes; keep it to \(limits.maxCommentBytes) bytes")
        }
        return collector.issues
    }

    public static func errorCode(for path: FieldPath) -> ErrorCode { .invalidJudgement }
}
