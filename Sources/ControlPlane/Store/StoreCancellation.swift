import CrucibleAPI
import Foundation

// Cancelling a run: the submitter's way to stop a benchmark that is no longer wanted.

extension Store {
    /// Cancels every job of the run that has not finished (queued, leased or running) and ends the run, in one
    /// transaction, with a `job_state` event for each job and the run's `run_state` event. Jobs that finished
    /// keep their results and scores. An agent holding a cancelled job's lease hears at its next heartbeat
    /// that the lease is revoked and kills the job's running step; a completion sent under that lease is
    /// refused as stale, so a cancelled job never gets a result. Cancelling a run that has ended changes
    /// nothing (the call can be repeated). A run of another tenant is not found.
    public func cancelRun(id: String, tenant: String?) async throws -> RunStatus {
        let at = now()
        let cancelled = try await database.transaction { connection in
            _ = try await runRow(connection, id: id, tenant: tenant)
            // The state in the WHERE clause, as at every transition: a completion committed first keeps its
            // result, and one that comes later finds the lease gone.
            let rows = try await connection.query(
                """
                UPDATE jobs SET state = 'cancelled', lease_id = NULL, lease_expires_at = NULL, completed_at = ?
                WHERE run_id = ? AND state IN ('queued', 'leased', 'running') RETURNING id, task_id, model, seq
                """, at, id)
            // In the run's order (RETURNING promises none), so a watcher sees the jobs as they were queued.
            let ordered = try rows.sorted { try $0.int("seq") < $1.int("seq") }
            let events: [PendingEvent] = try ordered.map { row throws(ControlPlaneError) in
                let change = JobStateChange(
                    state: .cancelled, taskID: try row.string("task_id"), model: try row.string("model"))
                return (try row.string("id"), .jobState(change))
            }
            try await Self.appendEvents(connection, runID: id, at: at, events)
            try await Self.finishRunIfDone(connection, runID: id, at: at)
            return rows.count
        }
        if cancelled > 0 {
            logger.info("run cancelled", metadata: ["run": "\(id)", "jobs_cancelled": "\(cancelled)"])
        }
        return try await runStatus(id: id, tenant: tenant)
    }
}
