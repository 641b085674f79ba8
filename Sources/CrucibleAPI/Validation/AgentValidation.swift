// The agent protocol is machine to machine, but a buggy or hostile agent must still not be able to store
// nonsense: ids, counts and sizes are checked like any other input.

extension AgentRegistration: Validatable, APIRequestBody {
    public func validationIssues(at path: FieldPath, limits: ValidationLimits) -> [ValidationIssue] {
        var collector = IssueCollector(code: .invalidRequest)
        collector.add(
            contentsOf: IdentifierRules.issues(
                id: name, what: "agent name", at: path.field("name"), code: .invalidRequest, limits: limits))
        collector.checkNumber(Double(slots), at: path.field("slots"), max: Double(limits.maxSlots), unit: "slots")
        collector.add(contentsOf: LabelRules.issues(labels, at: path.field("labels"), limits: limits))
        collector.add(
            contentsOf: IdentifierRules.issues(
                name: version, what: "version", maxLength: limits.maxNameLength, at: path.field("version"),
                code: .invalidRequest))
        return collector.issues
    }
}

extension LeaseRequest: Validatable, APIRequestBody {
    public func validationIssues(at path: FieldPath, limits: ValidationLimits) -> [ValidationIssue] {
        var collector = IssueCollector(code: .invalidRequest)
        collector.add(
            contentsOf: IdentifierRules.issues(
                id: agentID, what: "agent id", at: path.field("agent_id"), code: .invalidRequest, limits: limits))
        collector.checkNumber(Double(maxJobs), at: path.field("max_jobs"), max: Double(limits.maxSlots), unit: "jobs")
        collector.checkNumber(
            waitS, at: path.field("wait_s"), allowZero: true, max: limits.maxLeaseWaitSeconds, unit: "s")
        collector.add(contentsOf: LabelRules.issues(labels, at: path.field("labels"), limits: limits))
        collector.checkLeases(finished, at: path.field("finished"), limits: limits)
        return collector.issues
    }
}

extension HeartbeatRequest: Validatable, APIRequestBody {
    public func validationIssues(at path: FieldPath, limits: ValidationLimits) -> [ValidationIssue] {
        var collector = IssueCollector(code: .invalidRequest)
        collector.add(
            contentsOf: IdentifierRules.issues(
                id: agentID, what: "agent id", at: path.field("agent_id"), code: .invalidRequest, limits: limits))
        collector.checkLeases(leaseIDs, at: path.field("lease_ids"), limits: limits)
        let loadPath = path.field("load")
        collector.checkNumber(Double(load.runningJobs), at: loadPath.field("running_jobs"), allowZero: true)
        collector.checkNumber(Double(load.slots), at: loadPath.field("slots"), max: Double(limits.maxSlots))
        if let loadAverage = load.loadAverage {
            collector.checkNumber(loadAverage, at: loadPath.field("load_average"), allowZero: true)
        }
        return collector.issues
    }
}

extension JobEventBatch: Validatable, APIRequestBody {
    public func validationIssues(at path: FieldPath, limits: ValidationLimits) -> [ValidationIssue] {
        var collector = IssueCollector(code: .invalidRequest)
        collector.add(
            contentsOf: IdentifierRules.issues(
                id: leaseID, what: "lease id", at: path.field("lease_id"), code: .invalidRequest, limits: limits))
        let eventsPath = path.field("events")
        if events.isEmpty {
            collector.add(eventsPath, "is empty; send at least one event")
        } else if events.count > limits.maxEventsPerBatch {
            collector.tooLarge(
                eventsPath, "has \(events.count) events; send at most \(limits.maxEventsPerBatch) per batch")
        }
        var previous = 0
        for (index, event) in events.enumerated() {
            if event.seq <= previous {
                collector.add(
                    eventsPath.index(index).field("seq"),
                    "is \(event.seq) after \(previous); number events from 1, each above the one before")
            }
            previous = max(previous, event.seq)
        }
        return collector.issues
    }
}

extension CompletionRequest: Validatable, APIRequestBody {
    public func validationIssues(at path: FieldPath, limits: ValidationLimits) -> [ValidationIssue] {
        var collector = IssueCollector(code: .invalidRequest)
        collector.add(
            contentsOf: IdentifierRules.issues(
                id: leaseID, what: "lease id", at: path.field("lease_id"), code: .invalidRequest, limits: limits))
        collector.add(contentsOf: result.validationIssues(at: path.field("result"), limits: limits))
        if let referenceCPUTimeS {
            collector.checkNumber(
                referenceCPUTimeS, at: path.field("reference_cpu_time_s"), allowZero: true,
                max: limits.maxTimeSeconds, unit: "s")
        }
        return collector.issues
    }
}

extension JobResult: Validatable {
    /// Internal consistency: counts that add up and scores in range.
    public func validationIssues(at path: FieldPath, limits: ValidationLimits) -> [ValidationIssue] {
        var collector = IssueCollector(code: .invalidRequest)
        collector.add(
            contentsOf: IdentifierRules.issues(
                id: taskID, what: "task id", at: path.field("task_id"), code: .invalidRequest, limits: limits))
        collector.add(
            contentsOf: IdentifierRules.issues(
                model: model, at: path.field("model"), code: .invalidRequest, limits: limits))
        collector.checkNumber(Double(testsTotal), at: path.field("tests_total"), allowZero: true)
        collector.checkNumber(Double(testsPassed), at: path.field("tests_passed"), allowZero: true)
        if testsPassed > testsTotal {
            collector.add(
                path.field("tests_passed"),
                "is \(testsPassed) but tests_total is \(testsTotal); passed cannot exceed total")
        }
        if let score {
            let parts: [(String, Double)] =
                ScoreComponent.allCases.compactMap { component in score[component].map { (component.rawValue, $0) } }
                + [("automated", score.automated)]
            for (name, value) in parts where !value.isFinite || value < 0 || value > 100 {
                collector.add(path.field("score").field(name), "is \(value); scores run from 0 to 100")
            }
        }
        return collector.issues
    }
}

enum LabelRules {
    /// Label keys are ids; values are short single-line text.
    static func issues(_ labels: [String: String], at path: FieldPath, limits: ValidationLimits) -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        if labels.count > limits.maxLabels {
            issues.append(
                ValidationIssue(
                    code: .tooLarge, field: path.description,
                    message: "has \(labels.count) labels; use at most \(limits.maxLabels)"))
        }
        for key in labels.keys.sorted() {
            issues += IdentifierRules.issues(
                id: key, what: "label name", at: path.key(key), code: .invalidRequest, limits: limits)
            issues += IdentifierRules.issues(
                name: labels[key] ?? "", what: "label value", maxLength: limits.maxLabelValueLength, at: path.key(key),
                code: .invalidRequest, allowEmpty: true)
        }
        return issues
    }
}

extension IssueCollector {
    /// A list of an agent's lease ids: no more than an agent can hold, each a valid id.
    mutating func checkLeases(_ leaseIDs: [String], at path: FieldPath, limits: ValidationLimits) {
        if leaseIDs.count > limits.maxSlots {
            tooLarge(path, "has \(leaseIDs.count) leases; an agent holds at most \(limits.maxSlots)")
        }
        for (index, id) in leaseIDs.enumerated() {
            add(
                contentsOf: IdentifierRules.issues(
                    id: id, what: "lease id", at: path.index(index), code: .invalidRequest, limits: limits))
        }
    }
}
