// A run submission is valid when its name, tasks, candidates and weights are, and every candidate refers to
// a task of the run. Issues come in body order: name, tasks, task_ids, candidates, weights.

extension RunSubmission: Validatable, APIRequestBody {
    public func validationIssues(at path: FieldPath, limits: ValidationLimits) -> [ValidationIssue] {
        var collector = IssueCollector(code: .invalidRun)
        collector.add(
            contentsOf: IdentifierRules.issues(
                name: name, what: "run name", maxLength: limits.maxNameLength, at: path.field("name"), code: .invalidRun
            ))

        let inline = tasks ?? []
        let bank = taskIDs ?? []
        let tasksPath = path.field("tasks")
        if inline.isEmpty && bank.isEmpty {
            collector.add(
                tasksPath, "the run has no tasks; send \"tasks\" (task objects) or \"task_ids\" (from the bank)")
        }
        if inline.count + bank.count > limits.maxTasksPerRun {
            collector.tooLarge(
                tasksPath, "the run has \(inline.count + bank.count) tasks; use at most \(limits.maxTasksPerRun)")
        }
        collector.add(contentsOf: TaskSpec.listIssues(inline, at: tasksPath, limits: limits))

        let inlineIDs = Set(inline.map(\.id))
        var seenBankIDs: Set<String> = []
        let bankPath = path.field("task_ids")
        for (index, id) in bank.enumerated() {
            let idPath = bankPath.index(index)
            let idIssues = IdentifierRules.issues(
                id: id, what: "task id", at: idPath, code: .invalidRun, limits: limits)
            collector.add(contentsOf: idIssues)
            if inlineIDs.contains(id) {
                collector.add(
                    idPath, "task \"\(id)\" is also sent in tasks; list it in one place only", code: .duplicateID)
            } else if !seenBankIDs.insert(id).inserted {
                collector.add(idPath, "task \"\(id)\" is listed twice; list it once", code: .duplicateID)
            }
        }

        let candidatesPath = path.field("candidates")
        if candidates.isEmpty {
            collector.add(candidatesPath, "the run has no candidates; send at least one")
        } else if candidates.count > limits.maxCandidatesPerRun {
            collector.tooLarge(
                candidatesPath,
                "has \(candidates.count) candidates; split the run so each has at most \(limits.maxCandidatesPerRun)")
        }
        // With no tasks at all, "unknown task" on every candidate would only repeat the error above.
        let known: Set<String>? = inline.isEmpty && bank.isEmpty ? nil : inlineIDs.union(bank)
        for (index, candidate) in candidates.enumerated() {
            collector.add(
                contentsOf: candidate.validationIssues(
                    at: candidatesPath.index(index), limits: limits, knownTaskIDs: known))
        }

        if let weights {
            collector.add(contentsOf: Self.weightIssues(weights, at: path.field("weights")))
        }
        if let priority, !Self.priorityRange.contains(priority) {
            collector.add(
                path.field("priority"),
                "is \(priority); use \(Self.priorityRange.lowerBound) to \(Self.priorityRange.upperBound)")
        }
        return collector.issues
    }

    /// Keys must be score components, values finite and ≥ 0, and at least one positive.
    static func weightIssues(_ weights: [String: Double], at path: FieldPath) -> [ValidationIssue] {
        var collector = IssueCollector(code: .invalidWeights)
        for key in weights.keys.sorted() {
            let value = weights[key] ?? 0
            if ScoreComponent(rawValue: key) == nil {
                collector.add(path.key(key), "unknown weight \"\(key)\"; use \(ScoreComponent.allowedValues)")
            } else {
                collector.checkNumber(value, at: path.key(key), allowZero: true)
            }
        }
        let known = weights.filter { ScoreComponent(rawValue: $0.key) != nil }.values
        if known.allSatisfy({ $0.isFinite && $0 >= 0 }) && known.reduce(0, +) <= 0 {
            collector.add(
                path, "the weights sum to 0; give at least one of \(ScoreComponent.allowedValues) a value above 0")
        }
        return collector.issues
    }

    /// Decoding failures inside a task are `invalid_task`, inside a candidate `invalid_candidate`, and so on.
    public static func errorCode(for path: FieldPath) -> ErrorCode {
        switch path.firstField {
        case "tasks": .invalidTask
        case "candidates": .invalidCandidate
        case "weights": .invalidWeights
        default: .invalidRun
        }
    }
}
