// A candidate must name a task of its run and a model, carry safe files, and report sane metadata.

extension Candidate: Validatable, APIRequestBody {
    public func validationIssues(at path: FieldPath, limits: ValidationLimits) -> [ValidationIssue] {
        validationIssues(at: path, limits: limits, knownTaskIDs: nil)
    }

    /// With `knownTaskIDs`, also checks that `task_id` is one of them (the run's tasks and task_ids).
    public func validationIssues(
        at path: FieldPath, limits: ValidationLimits = .default, knownTaskIDs: Set<String>?
    ) -> [ValidationIssue] {
        var collector = IssueCollector(code: .invalidCandidate)
        let taskIDIssues = IdentifierRules.issues(
            id: taskID, what: "task id", at: path.field("task_id"), code: .invalidCandidate, limits: limits)
        collector.add(contentsOf: taskIDIssues)
        if taskIDIssues.isEmpty, let knownTaskIDs, !knownTaskIDs.contains(taskID) {
            collector.add(
                path.field("task_id"),
                "refers to task \"\(taskID)\", which is not in this run; add it to tasks or task_ids")
        }
        collector.add(
            contentsOf: IdentifierRules.issues(
                model: model, at: path.field("model"), code: .invalidCandidate, limits: limits))
        collector.add(
            contentsOf: FilePathRules.issues(
                files: files, at: path.field("files"), code: .invalidCandidate, limits: limits))
        let metadataPath = path.field("metadata")
        if let latency = metadata.latencyMS {
            collector.checkNumber(latency, at: metadataPath.field("latency_ms"), allowZero: true)
        }
        if let cost = metadata.costUSD {
            collector.checkNumber(cost, at: metadataPath.field("cost_usd"), allowZero: true)
        }
        for (name, tokens) in [("input_tokens", metadata.inputTokens), ("output_tokens", metadata.outputTokens)] {
            if let tokens {
                collector.checkNumber(Double(tokens), at: metadataPath.field(name), allowZero: true)
            }
        }
        return collector.issues
    }

    public static func errorCode(for path: FieldPath) -> ErrorCode { .invalidCandidate }
}
