import CrucibleAPI
import Foundation

// Runs and their jobs. A run is written whole in one transaction: its tasks (a snapshot, so later changes
// to the bank do not change a run in flight), then one job per candidate, all queued.

extension Store {
    /// Creates a run from a validated submission. A `task_ids` entry missing from the tenant's bank rejects
    /// the whole run and writes nothing.
    /// `rules`, when given, must accept every task (those of the bank too: stored before the rules were, or by a
    /// control plane without them, they may not have been checked) and every candidate's files for its task, or
    /// nothing is stored.
    public func createRun(
        _ submission: RunSubmission, tenant: String, rules: (any SubmissionRules)? = nil
    ) async throws -> RunCreated {
        let runID = Self.newID("run")
        let created = now()
        let weights = try Self.encode(submission.scoreWeights.wireMap)
        return try await database.transaction { connection in
            var tasks: [String: TaskSpec] = [:]
            for task in submission.tasks ?? [] {
                tasks[task.id] = task
            }
            for (index, id) in (submission.taskIDs ?? []).enumerated() {
                let rows = try await connection.query("SELECT spec FROM tasks WHERE tenant = ? AND id = ?", tenant, id)
                guard let row = rows.first else {
                    throw ControlPlaneError(
                        .invalidRun,
                        "no task \"\(id)\" in your task bank; upload it with POST /v1/tasks or send it in \"tasks\"",
                        field: "task_ids[\(index)]")
                }
                tasks[id] = try Self.decode(TaskSpec.self, try row.string("spec"))
            }
            if let rules, let error = CrucibleAPIError(Self.ruleIssues(submission, tasks: tasks, rules: rules)) {
                throw ControlPlaneError(error)
            }
            try await connection.query(
                """
                INSERT INTO runs (id, tenant, name, priority, weights, job_count, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
                runID, tenant, submission.name, submission.priority ?? 1, weights, submission.candidates.count,
                created)
            for task in tasks.values.sorted(by: { $0.id < $1.id }) {
                try await connection.query(
                    "INSERT INTO run_tasks (run_id, task_id, spec) VALUES (?, ?, ?)", runID, task.id,
                    try Self.encode(task))
            }
            var rows: [[SQLValue]] = []
            for (seq, candidate) in submission.candidates.enumerated() {
                guard let task = tasks[candidate.taskID] else {
                    throw ControlPlaneError(
                        .invalidCandidate, "refers to task \"\(candidate.taskID)\", which the run does not have",
                        field: "candidates[\(seq)].task_id")
                }
                let values: [any SQLBindable] = [
                    Self.newID("job"), runID, seq, tenant, task.id, candidate.model, task.language.rawValue,
                    task.scenario.rawValue, task.difficulty.rawValue, try Self.encode(candidate),
                    JobState.queued.rawValue, created,
                ]
                rows.append(values.map(\.sqlValue))
            }
            try await Self.insertRows(
                connection, table: "jobs",
                columns: [
                    "id", "run_id", "seq", "tenant", "task_id", "model", "language", "scenario", "difficulty",
                    "candidate", "state", "created_at",
                ], rows: rows)
            _ = try await Self.appendEvents(
                connection, runID: runID, at: created, [(jobID: nil, payload: .runState(.queued))])
            return RunCreated(id: runID, jobs: rows.count)
        }
    }

    /// What the toolchains refuse in a run: its tasks (inline, then from the bank), then each candidate's files
    /// for its task.
    static func ruleIssues(
        _ submission: RunSubmission, tasks: [String: TaskSpec], rules: any SubmissionRules
    ) -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        for (index, task) in (submission.tasks ?? []).enumerated() {
            issues += rules.issues(task: task, at: FieldPath().field("tasks").index(index))
        }
        for (index, id) in (submission.taskIDs ?? []).enumerated() {
            if let task = tasks[id] {
                issues += rules.issues(task: task, at: FieldPath().field("task_ids").index(index))
            }
        }
        for (index, candidate) in submission.candidates.enumerated() {
            guard let task = tasks[candidate.taskID] else { continue }
            issues += rules.issues(
                candidateFiles: candidate.files, task: task,
                at: FieldPath().field("candidates").index(index).field("files"))
        }
        return issues
    }

    /// Inserts rows a few hundred at a time: one statement per chunk, not per row.
    static func insertRows(
        _ connection: any SQLConnection, table: String, columns: [String], rows: [[SQLValue]]
    ) async throws {
        let chunk = max(1, 900 / columns.count)
        var start = 0
        while start < rows.count {
            let slice = rows[start..<min(rows.count, start + chunk)]
            let tuple = "(" + placeholders(columns.count) + ")"
            let sql =
                "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
                + Array(repeating: tuple, count: slice.count).joined(separator: ", ")
            try await connection.query(sql, slice.flatMap { $0 })
            start += chunk
        }
    }

    /// The tenant owning a run, or nil when there is no such run (or the caller may not see it).
    func runRow(_ connection: any SQLConnection, id: String, tenant: String?) async throws -> SQLRow {
        let rows = try await connection.query(
            "SELECT id, tenant, name, weights, created_at, completed_at FROM runs WHERE id = ?", id)
        guard let row = rows.first, try tenant == nil || row.string("tenant") == tenant else {
            throw ControlPlaneError.notFound("run", id)
        }
        return row
    }

    public func runStatus(id: String, tenant: String?) async throws -> RunStatus {
        try await database.read { connection in
            let run = try await runRow(connection, id: id, tenant: tenant)
            let counts = try await Self.jobCounts(connection, runID: id)
            return RunStatus(
                id: id, name: try run.string("name"), state: counts.impliedRunState, jobs: counts,
                createdAt: try run.date("created_at"), completedAt: try run.optionalDate("completed_at"))
        }
    }

    static func jobCounts(_ connection: any SQLConnection, runID: String) async throws -> JobStateCounts {
        var counts = JobStateCounts()
        for row in try await connection.query(
            "SELECT state, COUNT(*) AS n FROM jobs WHERE run_id = ? GROUP BY state", runID)
        {
            if let state = JobState(rawValue: try row.string("state")) {
                counts[state] = try row.int("n")
            }
        }
        return counts
    }

    public func runResults(id: String, tenant: String?) async throws -> RunResults {
        try await database.read { connection in
            _ = try await runRow(connection, id: id, tenant: tenant)
            let rows = try await connection.query(
                "SELECT id, state, task_id, model, result FROM jobs WHERE run_id = ? ORDER BY seq", id)
            return RunResults(
                results: try rows.map { row throws(ControlPlaneError) in
                    let state = JobState(rawValue: try row.string("state")) ?? .queued
                    let result = try row.optionalString("result").map { text throws(ControlPlaneError) in
                        try Self.decode(JobResult.self, text)
                    }
                    return RunResultEntry(
                        jobID: try row.string("id"), state: state, taskID: try row.string("task_id"),
                        model: try row.string("model"), result: result)
                })
        }
    }

    /// Run ids a tenant may see, newest first.
    public func runIDs(tenant: String?, limit: Int = 100) async throws -> [String] {
        try await database.read { connection in
            let rows =
                if let tenant {
                    try await connection.query(
                        "SELECT id FROM runs WHERE tenant = ? ORDER BY created_at DESC LIMIT ?", tenant, limit)
                } else {
                    try await connection.query("SELECT id FROM runs ORDER BY created_at DESC LIMIT ?", limit)
                }
            return try rows.map { row throws(ControlPlaneError) in try row.string("id") }
        }
    }
}
