import CrucibleAPI
import Foundation

// The job life cycle: queued → leased → running → completed | errored, back to queued when a lease expires
// or an agent reports an infrastructure failure, up to `maxAttempts` leases. Every transition checks the
// state it expects in its WHERE clause, so two replicas (or a late agent) can never both win: each job has
// exactly one result.

extension Store {
    /// How many jobs an agent may hold (leased and not finished running) for each of its slots.
    static let holdablePerSlot = 2

    /// Leases up to `maxJobs` queued jobs the agent can run, shared fairly between runs and tenants.
    /// `finished`: leases of this agent whose jobs have finished running there (results on their way); their
    /// slots count as free.
    public func lease(agentID: String, maxJobs: Int, finished: [String] = []) async throws -> [LeasedJob] {
        let leasedAt = now()
        let expires = leasedAt.timeIntervalSince1970 + settings.leaseTTLS
        let dialect = database.dialect
        let (leased, events) = try await database.transaction { connection in
            let agent = try await Self.agentRow(connection, id: agentID)
            guard agent.state == .active, !agent.toolchains.isEmpty else {
                return ([LeasedJob](), [String: [PendingEvent]]())
            }
            let languages = agent.toolchains.map { SQLValue.text($0.rawValue) }
            let held = try await connection.query(
                "SELECT lease_id FROM jobs WHERE agent_id = ? AND state IN ('leased', 'running')", agentID)
            let done = Set(finished)
            let busy = try held.filter { !done.contains(try $0.string("lease_id")) }.count
            // An agent may hold one job per slot beyond its running ones: leased ahead, it starts the moment a
            // slot frees, without waiting for a lease's round trip.
            let wanted = min(maxJobs, max(0, Self.holdablePerSlot * agent.slots - busy))
            guard wanted > 0 else {
                return ([LeasedJob](), [String: [PendingEvent]]())
            }
            // Jobs this agent may take: its languages, and not ones it just failed unless their wait is over.
            let eligible =
                "j.state = 'queued' AND j.language IN (\(Self.placeholders(languages.count)))"
                + " AND (j.avoid_agent IS NULL OR j.avoid_agent <> ? OR j.avoid_until < ?)"
            let eligibleBinds = languages + [.text(agentID), leasedAt.sqlValue]
            // Runs still in flight, and how many of their queued jobs this agent could take (counted only up
            // to what it wants, so a lease costs the same with 10 or 100,000 jobs queued).
            let openRuns = try await connection.query(
                "SELECT id, tenant, priority, created_at FROM runs WHERE completed_at IS NULL")
            var queues: [FairShare.Queue] = []
            for run in openRuns {
                let runID = try run.string("id")
                let available =
                    try await connection.query(
                        """
                        SELECT COUNT(*) AS n FROM (SELECT 1 FROM jobs j WHERE j.run_id = ? AND \(eligible) LIMIT ?) AS q
                        """, [.text(runID)] + eligibleBinds + [.integer(Int64(wanted))]
                    ).first?.int("n") ?? 0
                if available > 0 {
                    queues.append(
                        FairShare.Queue(
                            runID: runID, tenant: try run.string("tenant"), priority: try run.int("priority"),
                            active: 0, queued: available, createdAt: try run.double("created_at")))
                }
            }
            guard !queues.isEmpty else {
                return ([LeasedJob](), [String: [PendingEvent]]())
            }
            var activeByRun: [String: Int] = [:]
            var activeByTenant: [String: Int] = [:]
            for row in try await connection.query(
                """
                SELECT run_id, tenant, COUNT(*) AS n FROM jobs WHERE state IN ('leased', 'running')
                GROUP BY run_id, tenant
                """)
            {
                let count = try row.int("n")
                activeByRun[try row.string("run_id"), default: 0] += count
                activeByTenant[try row.string("tenant"), default: 0] += count
            }
            for index in queues.indices {
                queues[index].active = activeByRun[queues[index].runID] ?? 0
            }
            let shares = FairShare.allocate(queues, tenantActive: activeByTenant, slots: wanted)

            var leased: [LeasedJob] = []
            var events: [String: [PendingEvent]] = [:]
            for (runID, count) in shares.sorted(by: { $0.key < $1.key }) where count > 0 {
                let weights = try await connection.query("SELECT weights FROM runs WHERE id = ?", runID).first.map {
                    try Self.decode([String: Double].self, try $0.string("weights"))
                }
                let jobs = try await connection.query(
                    """
                    SELECT j.id, j.task_id, j.model, j.candidate, j.attempt FROM jobs j
                    WHERE j.run_id = ? AND \(eligible) ORDER BY j.seq LIMIT ?\(dialect.lockSkippingLocked)
                    """, [.text(runID)] + eligibleBinds + [.integer(Int64(count))])
                for job in jobs {
                    let jobID = try job.string("id")
                    let leaseID = Self.newID("lease")
                    let attempt = try job.int("attempt") + 1
                    let updated = try await connection.query(
                        """
                        UPDATE jobs SET state = 'leased', lease_id = ?, agent_id = ?, lease_expires_at = ?,
                            attempt = ?, leased_at = ?, events_seq = 0
                        WHERE id = ? AND state = 'queued' RETURNING id
                        """, leaseID, agentID, expires, attempt, leasedAt, jobID)
                    guard !updated.isEmpty else {
                        continue
                    }
                    let taskID = try job.string("task_id")
                    guard
                        let spec = try await connection.query(
                            "SELECT spec FROM run_tasks WHERE run_id = ? AND task_id = ?", runID, taskID
                        ).first
                    else {
                        throw ControlPlaneError.corrupt("job \(jobID) refers to a task its run does not have")
                    }
                    let candidate = try Self.decode(Candidate.self, try job.string("candidate"))
                    leased.append(
                        LeasedJob(
                            leaseID: leaseID, jobID: jobID, runID: runID, attempt: attempt,
                            task: try Self.decode(TaskSpec.self, try spec.string("spec")), candidate: candidate,
                            weights: weights))
                    events[runID, default: []].append(
                        (jobID, .jobState(JobStateChange(state: .leased, taskID: taskID, model: candidate.model))))
                }
            }
            for (runID, runEvents) in events.sorted(by: { $0.key < $1.key }) {
                try await Self.appendEvents(connection, runID: runID, at: leasedAt, runEvents)
            }
            return (leased, events)
        }
        if !leased.isEmpty {
            logger.debug(
                "leased jobs", metadata: ["agent": "\(agentID)", "jobs": "\(leased.count)", "runs": "\(events.count)"])
        }
        return leased
    }

    struct LeasedRow: Sendable {
        var runID: String
        var taskID: String
        var model: String
        var state: JobState
        var leaseID: String?
        var agentID: String?
        var lastLeaseID: String?
        var lastReply: String?
        var attempt: Int
        var eventsSeq: Int
    }

    static func jobRow(_ connection: any SQLConnection, id: String, lock: SQLDialect) async throws -> LeasedRow {
        let lockClause = lock == .postgres ? " FOR UPDATE" : ""
        guard
            let row = try await connection.query(
                """
                SELECT run_id, task_id, model, state, lease_id, agent_id, last_lease_id, last_reply, attempt, events_seq
                FROM jobs WHERE id = ?\(lockClause)
                """, id
            ).first
        else {
            throw ControlPlaneError.notFound("job", id)
        }
        return LeasedRow(
            runID: try row.string("run_id"), taskID: try row.string("task_id"), model: try row.string("model"),
            state: JobState(rawValue: try row.string("state")) ?? .queued, leaseID: try row.optionalString("lease_id"),
            agentID: try row.optionalString("agent_id"), lastLeaseID: try row.optionalString("last_lease_id"),
            lastReply: try row.optionalString("last_reply"), attempt: try row.int("attempt"),
            eventsSeq: try row.int("events_seq"))
    }

    static func staleLease(_ jobID: String) -> ControlPlaneError {
        ControlPlaneError(
            .staleLease,
            "the lease no longer holds job \(jobID) (it expired, was revoked, or the job already has its result); "
                + "drop the job", field: "lease_id")
    }

    /// Applies an agent's batch of job events. Events at or below the highest `seq` already applied for this
    /// lease are skipped, so a batch re-sent after a timeout is not applied twice.
    public func recordJobEvents(jobID: String, agentID: String, batch: JobEventBatch) async throws -> Int {
        let at = now()
        let dialect = database.dialect
        return try await database.transaction { connection in
            let job = try await Self.jobRow(connection, id: jobID, lock: dialect)
            guard job.leaseID == batch.leaseID, job.agentID == agentID, job.state == .leased || job.state == .running
            else {
                throw Self.staleLease(jobID)
            }
            let fresh = batch.events.filter { $0.seq > job.eventsSeq }.sorted { $0.seq < $1.seq }
            guard let newest = fresh.last?.seq else {
                return 0
            }
            var pending: [PendingEvent] = []
            var state = job.state
            for event in fresh {
                switch event.payload {
                case .jobState(let reported):
                    // An agent may only say it started; results arrive by completion.
                    if reported == .running && state == .leased {
                        state = .running
                        pending.append(
                            (jobID, .jobState(JobStateChange(state: .running, taskID: job.taskID, model: job.model))))
                    }
                case .step(let step): pending.append((jobID, .step(step)))
                case .test(let test): pending.append((jobID, .test(test)))
                }
            }
            try await connection.query(
                "UPDATE jobs SET events_seq = ?, state = ? WHERE id = ?", newest, state.rawValue, jobID)
            try await Self.appendEvents(connection, runID: job.runID, at: at, pending)
            return fresh.count
        }
    }
}
