import CrucibleAPI
import Foundation
import Scoring

// Completion and lease expiry: the two ways a lease ends.

extension Store {
    /// Records a job's one result. The same completion sent twice (a retry after a lost reply) gets the
    /// same answer; a completion under any other lease is refused as stale (409). An `errored` result is the
    /// node's failure, not the model's: the job goes back to the queue, for another agent first, until it
    /// has used its attempts.
    public func complete(
        jobID: String, agentID: String, leaseID: String, result: JobResult, referenceCPUTimeS: Double? = nil
    ) async throws -> CompletionReply {
        let at = now()
        let settings = settings
        let dialect = database.dialect
        return try await database.transaction { connection in
            let job = try await Self.jobRow(connection, id: jobID, lock: dialect)
            if job.lastLeaseID == leaseID, let reply = job.lastReply, let state = JobState(rawValue: reply) {
                return CompletionReply(jobID: jobID, state: state)
            }
            guard job.leaseID == leaseID, job.agentID == agentID, job.state == .leased || job.state == .running else {
                throw Self.staleLease(jobID)
            }
            guard result.taskID == job.taskID, result.model == job.model else {
                throw ControlPlaneError(
                    .invalidRequest,
                    "the result is for \(result.taskID)/\(result.model), but job \(jobID) is \(job.taskID)/\(job.model)",
                    field: "result.task_id")
            }
            var pending: [PendingEvent] = []
            let state: JobState
            if result.verdict == .errored && job.attempt < settings.maxAttempts {
                state = .queued
                try await connection.query(
                    """
                    UPDATE jobs SET state = 'queued', lease_id = NULL, agent_id = NULL, lease_expires_at = NULL,
                        last_lease_id = ?, last_reply = 'queued', avoid_agent = ?, avoid_until = ?, error = ?
                    WHERE id = ?
                    """, leaseID, agentID, at.timeIntervalSince1970 + settings.avoidAgentS, result.error, jobID)
                pending.append((jobID, .jobState(JobStateChange(state: .queued, taskID: job.taskID, model: job.model))))
            } else {
                var stored = result
                let outcome = try await Self.outcome(
                    connection, runID: job.runID, taskID: job.taskID, jobID: jobID, result: result,
                    referenceCPUTimeS: referenceCPUTimeS)
                if result.verdict == .errored {
                    state = .errored
                    stored.error =
                        "\(result.error ?? "the node could not evaluate the job") "
                        + "(attempt \(job.attempt) of \(settings.maxAttempts))"
                    stored.score = nil
                } else {
                    state = .completed
                    stored.score = try JobScoring.score(outcome.outcome, weights: outcome.weights)
                }
                try await connection.query(
                    """
                    UPDATE jobs SET state = ?, lease_id = NULL, lease_expires_at = NULL, last_lease_id = ?,
                        last_reply = ?, verdict = ?, error = ?, result = ?, score = ?, automated = ?, outcome = ?,
                        reference_cpu_time_s = ?, completed_at = ?
                    WHERE id = ?
                    """, state.rawValue, leaseID, state.rawValue, stored.verdict.rawValue, stored.error,
                    try Self.encode(stored), try stored.score.map { try Self.encode($0) }, stored.score?.automated,
                    try Self.encode(outcome.outcome), referenceCPUTimeS, at, jobID)
                pending.append(
                    (
                        jobID,
                        .jobState(
                            JobStateChange(state: state, taskID: job.taskID, model: job.model, verdict: stored.verdict))
                    ))
                if let score = stored.score {
                    pending.append((jobID, .score(score)))
                }
            }
            try await Self.appendEvents(connection, runID: job.runID, at: at, pending)
            try await Self.finishRunIfDone(connection, runID: job.runID, at: at)
            return CompletionReply(jobID: jobID, state: state)
        }
    }

    /// What scoring needs of a job (kept with the job, so leaderboards need not parse results again), and
    /// the run's weights.
    static func outcome(
        _ connection: any SQLConnection, runID: String, taskID: String, jobID: String, result: JobResult,
        referenceCPUTimeS: Double?
    ) async throws -> (outcome: JobOutcome, weights: CrucibleAPI.ScoreWeights) {
        guard
            let run = try await connection.query("SELECT weights FROM runs WHERE id = ?", runID).first,
            let task = try await connection.query(
                "SELECT spec FROM run_tasks WHERE run_id = ? AND task_id = ?", runID, taskID
            ).first,
            let job = try await connection.query("SELECT candidate FROM jobs WHERE id = ?", jobID).first
        else {
            throw ControlPlaneError.corrupt("job \(jobID) lost its run or task")
        }
        let weights = CrucibleAPI.ScoreWeights(wireMap: try decode([String: Double].self, try run.string("weights")))
        let outcome = JobScoring.outcome(
            result: result, task: try decode(TaskSpec.self, try task.string("spec")),
            candidate: try decode(Candidate.self, try job.string("candidate")), referenceCPUTimeS: referenceCPUTimeS)
        return (outcome, weights)
    }

    /// Marks the run finished when no job is left to run, with a `run_state` event.
    static func finishRunIfDone(_ connection: any SQLConnection, runID: String, at: Date) async throws {
        // One indexed probe per completion; the full count only once, at the end.
        let unfinished = try await connection.query(
            "SELECT 1 AS one FROM jobs WHERE run_id = ? AND state IN ('queued', 'leased', 'running') LIMIT 1", runID)
        guard unfinished.isEmpty else {
            return
        }
        let counts = try await jobCounts(connection, runID: runID)
        let updated = try await connection.query(
            "UPDATE runs SET completed_at = ? WHERE id = ? AND completed_at IS NULL RETURNING id", at, runID)
        if !updated.isEmpty {
            try await appendEvents(connection, runID: runID, at: at, [(nil, .runState(counts.impliedRunState))])
        }
    }

    /// Requeues every job whose lease ran out (its agent died or lost the network), or errors it for good when
    /// it has used its attempts. Returns how many jobs it touched.
    @discardableResult
    public func expireLeases() async throws -> Int {
        let at = now()
        let settings = settings
        let dialect = database.dialect
        return try await database.transaction { connection in
            let expired = try await connection.query(
                """
                SELECT id, run_id, task_id, model, attempt FROM jobs
                WHERE state IN ('leased', 'running') AND lease_expires_at < ?\(dialect.lockSkippingLocked)
                """, at)
            var byRun: [String: [PendingEvent]] = [:]
            for row in expired {
                let jobID = try row.string("id")
                let runID = try row.string("run_id")
                let taskID = try row.string("task_id")
                let model = try row.string("model")
                let attempt = try row.int("attempt")
                let message = "the lease expired \(attempt) time(s): the agent stopped answering"
                if attempt >= settings.maxAttempts {
                    let result = JobResult(taskID: taskID, model: model, verdict: .errored, error: message)
                    let outcome = try await Self.outcome(
                        connection, runID: runID, taskID: taskID, jobID: jobID, result: result, referenceCPUTimeS: nil)
                    try await connection.query(
                        """
                        UPDATE jobs SET state = 'errored', lease_id = NULL, lease_expires_at = NULL, verdict = 'errored',
                            error = ?, result = ?, outcome = ?, completed_at = ? WHERE id = ?
                        """, message, try Self.encode(result), try Self.encode(outcome.outcome), at, jobID)
                    byRun[runID, default: []].append(
                        (
                            jobID,
                            .jobState(JobStateChange(state: .errored, taskID: taskID, model: model, verdict: .errored))
                        ))
                } else {
                    try await connection.query(
                        """
                        UPDATE jobs SET state = 'queued', lease_id = NULL, agent_id = NULL, lease_expires_at = NULL,
                            error = ? WHERE id = ?
                        """, message, jobID)
                    byRun[runID, default: []].append(
                        (jobID, .jobState(JobStateChange(state: .queued, taskID: taskID, model: model))))
                }
            }
            for (runID, events) in byRun.sorted(by: { $0.key < $1.key }) {
                try await Self.appendEvents(connection, runID: runID, at: at, events)
                try await Self.finishRunIfDone(connection, runID: runID, at: at)
            }
            return expired.count
        }
    }
}
