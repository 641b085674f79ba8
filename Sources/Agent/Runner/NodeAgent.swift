import CrucibleAPI
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Toolchains

/// A node agent: registers with the control plane, long-polls for jobs, runs up to `slots` of them at once
/// (each in its own sandbox slot), streams their progress, and completes each with its result.
///
/// Run it as a swift-service-lifecycle `Service` (alone under `crucible agent`, or in one `ServiceGroup` with
/// the control plane under `crucible up`), or call `run()` directly.
///
/// - Graceful shutdown (SIGTERM through a `ServiceGroup`), `drain()`, or a heartbeat reply with
///   `drain: true`: take no new leases, finish the running jobs, deliver their results, return.
/// - Cancellation: stop at once. Running jobs are abandoned without a result; their leases expire on the
///   control plane and the jobs are leased again, elsewhere or here.
/// - Every result is written to the spool before it is sent and removed once the control plane has it
///   (2xx) or has refused it as stale (409); what a crash left there is delivered at the next start.
/// - The control plane unreachable: requests back off and retry; jobs keep running; results wait in the spool.
public final class NodeAgent: Service, Sendable {
    public static let version = "0.1.0"

    public let configuration: NodeAgentConfiguration
    let client: ControlPlaneClient
    let evaluator: any JobEvaluating
    let logger: Logger
    let spool: CompletionSpool
    let credentials: CredentialStore
    let references: ReferenceTimes
    let slots: SlotPool
    let held = HeldJobs()
    let metrics = AgentMetrics()
    let drainSignal = OneShot()
    private let registration: AgentRegistration
    private let state = Mutex(State())

    private struct State {
        var agentID: String?
        /// Leases held and not yet evaluated (running, or leased ahead and waiting for a slot), with the
        /// signal that revokes each.
        var running: [String: OneShot] = [:]
        /// Leases of this registration whose results wait for delivery: still renewed by heartbeats, so the
        /// job is not leased elsewhere while its result is on its way.
        var undelivered: Set<String> = []
        /// How long this node's jobs take of late (a moving average), which decides leasing ahead.
        var typicalJobSeconds: Double?
        /// Jobs leased and not yet in a slot.
        var waiting = 0
    }

    /// `client` carries the registration token (role `agent`, or admin); the agent switches to the credential
    /// the registration hands out. Fails at once on a bad configuration or an unusable spool directory.
    public init(
        configuration: NodeAgentConfiguration, client: ControlPlaneClient, evaluator: any JobEvaluating,
        logger: Logger
    ) throws(AgentError) {
        self.configuration = configuration
        self.registration = try configuration.registration()
        self.client = client
        self.evaluator = evaluator
        var logger = logger
        logger[metadataKey: "agent"] = "\(configuration.name)"
        self.logger = logger
        self.spool = try CompletionSpool(
            directory: configuration.spoolDirectory, flushes: configuration.spoolMode == .beforeSending)
        self.credentials = CredentialStore(directory: configuration.spoolDirectory + "/credentials")
        self.references = ReferenceTimes(directory: configuration.spoolDirectory + "/reference-times", logger: logger)
        self.slots = SlotPool(base: configuration.slotBase, count: configuration.slots)
    }

    /// The id the control plane gave this agent; nil before registration.
    public var agentID: String? { state.withLock { $0.agentID } }

    /// Leases of jobs running right now, or leased ahead and waiting for a slot.
    public var runningLeases: [String] { state.withLock { $0.running.keys.sorted() } }

    /// Whether the agent is draining (no new leases).
    public var isDraining: Bool { drainSignal.isFired }

    /// Stop taking leases; `run()` returns once the running jobs are done and their results delivered.
    public func drain() {
        if !drainSignal.isFired {
            logger.info("draining: finishing running jobs, taking no new ones")
        }
        drainSignal.fire()
    }

    // MARK: - Running

    public func run() async throws {
        spool.sweepTemporaryFiles()
        let (leftover, corrupt) = spool.pending()
        for name in corrupt {
            logger.error("a spooled completion could not be read; moved to corrupt/", metadata: ["file": "\(name)"])
            metrics.failure(.spool)
        }
        metrics.spoolDepth.record(leftover.count)
        if !leftover.isEmpty {
            logger.notice("delivering completions left from an earlier run", metadata: ["count": "\(leftover.count)"])
        }
        // Cancelled (not drained), each running job's task is cancelled with it, and that kills its sandbox.
        try await withGracefulShutdownHandler {
            try await serve(leftover: leftover)
        } onGracefulShutdown: { [self] in
            drain()
        }
        logger.info("agent stopped", metadata: ["spooled": "\(spool.depth)"])
    }

    private func serve(leftover: [SpooledCompletion]) async throws {
        // With nothing left to deliver, a drain during registration may simply stop; otherwise register anyway,
        // so the leftovers can be delivered before exiting.
        guard let reply = try await register(stopOnDrain: leftover.isEmpty) else {
            logger.info("stopped before registering")
            return
        }
        state.withLock { $0.agentID = reply.agentID }
        credentials.save(agentID: reply.agentID, token: reply.token, logger: logger)
        credentials.prune(keeping: Set(leftover.compactMap(\.agentID) + [reply.agentID]))
        let agentClient = client.withToken(reply.token)
        let interval = Duration.seconds(reply.heartbeatIntervalS > 0 ? reply.heartbeatIntervalS : 10)
        let (deliveries, deliveryInput) = AsyncStream.makeStream(of: SpooledCompletion.self)
        for completion in leftover { deliveryInput.yield(completion) }
        let stopHeartbeats = OneShot()
        let giveUpLease = OneShot()
        let leasingStopped = OneShot()

        await withDiscardingTaskGroup { group in
            group.addTask {
                await self.heartbeatLoop(
                    agentID: reply.agentID, interval: interval, client: agentClient, stop: stopHeartbeats)
            }
            group.addTask {
                await self.deliveryLoop(deliveries, client: agentClient, currentAgentID: reply.agentID)
                // Heartbeats keep the leases of undelivered results alive: they stop only after the last delivery.
                stopHeartbeats.fire()
            }
            group.addTask {
                await self.leaseLoop(
                    agentID: reply.agentID, client: agentClient, deliveries: deliveryInput, giveUpLease: giveUpLease)
                leasingStopped.fire()
                deliveryInput.finish()
            }
            group.addTask {
                await self.announceDrain(
                    agentID: reply.agentID, client: agentClient, giveUpLease: giveUpLease,
                    leasingStopped: leasingStopped)
            }
        }
        credentials.prune(keeping: Set(spool.pending().completions.compactMap(\.agentID) + [reply.agentID]))
    }

    /// Registers, retrying transient failures until it works; nil when cancelled (or drained, if allowed)
    /// first. A refusal (bad token, invalid registration) is thrown: retrying cannot fix it.
    private func register(stopOnDrain: Bool) async throws(AgentError) -> AgentRegistrationReply? {
        let once = client.withRetry(.never)
        let registration = self.registration
        let stop = stopOnDrain ? drainSignal : OneShot()
        var failures = 0
        while !Task.isCancelled {
            let outcome = await race(
                { () async -> Result<AgentRegistrationReply, AgentError> in
                    do throws(AgentError) {
                        return .success(try await once.register(registration))
                    } catch {
                        return .failure(error)
                    }
                }, until: stop)
            switch outcome {
            case .success(let reply)?:
                logger.notice(
                    "registered",
                    metadata: [
                        "agent_id": "\(reply.agentID)", "slots": "\(configuration.slots)",
                        "toolchains": "\(registration.toolchains.map(\.rawValue).joined(separator: ","))",
                        "cgroup": "\(registration.cgroupVersion.rawValue)",
                        "heartbeat_interval_s": "\(reply.heartbeatIntervalS)",
                    ])
                return reply
            case .failure(let error)?:
                if error.kind == .cancelled { return nil }
                metrics.failure(.register)
                guard error.isTransient else { throw error }
                failures += 1
                let delay = client.configuration.retry.delay(retry: min(failures - 1, 16), retryAfter: error.retryAfter)
                logger.warning(
                    "cannot register yet; retrying",
                    metadata: ["error": "\(error)", "retry_in_s": "\(delay.seconds)"])
                if !(await sleep(for: delay, unless: stop)) { return nil }
            case nil:
                return nil
            }
        }
        return nil
    }

    // MARK: - Leasing

    /// Asks for as many jobs as it may hold (its free slots, and one per slot ahead while jobs are short) and
    /// starts each in its own child task; returns once draining and every job it started has finished. A lease
    /// request already waiting when the drain begins is not dropped (the control plane may lease a job to it at
    /// any moment): it is answered once the control plane knows of the drain, and given up only with
    /// `giveUpLease`.
    private func leaseLoop(
        agentID: String, client: ControlPlaneClient, deliveries: AsyncStream<SpooledCompletion>.Continuation,
        giveUpLease: OneShot
    ) async {
        // The loop does its own backing off, so it sees every failure (and every Retry-After) itself.
        let once = client.withRetry(.never)
        let waitS = configuration.leaseWait.seconds
        await withDiscardingTaskGroup { jobs in
            var failures = 0
            while !drainSignal.isFired, !Task.isCancelled {
                let holdable = slots.capacity + leaseAhead
                _ = await race(
                    { () async -> Bool? in
                        await self.held.waitUntilFewer(than: holdable)
                        return true
                    }, until: drainSignal)
                // Held jobs only ever finish while the request is out: taking all it names never holds too many.
                let wanted = min(holdable - held.count, ValidationLimits.default.maxSlots)
                guard wanted > 0, !drainSignal.isFired, !Task.isCancelled else { continue }
                // Jobs whose results are still on their way have given their slots back already.
                let finished = state.withLock {
                    Array($0.undelivered.sorted().prefix(ValidationLimits.default.maxSlots))
                }
                let request = LeaseRequest(agentID: agentID, maxJobs: wanted, waitS: waitS, finished: finished)
                let outcome = await race(
                    { () async -> Result<LeaseReply, AgentError> in
                        do throws(AgentError) {
                            return .success(try await once.lease(request))
                        } catch {
                            return .failure(error)
                        }
                    }, until: giveUpLease)
                switch outcome {
                case .success(let reply)?:
                    failures = 0
                    for job in reply.jobs.dropFirst(wanted) {
                        logger.error(
                            "the control plane leased more jobs than this agent asked for; leaving one to expire",
                            metadata: ["job": "\(job.jobID)", "lease": "\(job.leaseID)"])
                    }
                    let taken = Array(reply.jobs.prefix(wanted))
                    recordWaiting(taken.count)
                    for (job, hold) in zip(taken, held.hold(taken.count)) {
                        metrics.leasesTaken.increment()
                        // Registered before the child starts, so the next heartbeat already renews it.
                        let revoked = OneShot()
                        state.withLock { $0.running[job.leaseID] = revoked }
                        jobs.addTask {
                            await self.runJob(job, hold: hold, revoked: revoked, client: client, deliveries: deliveries)
                            hold.letGo()
                        }
                    }
                case .failure(let error)?:
                    if error.kind == .cancelled { continue }
                    failures += 1
                    metrics.failure(.lease)
                    let delay = self.client.configuration.retry.delay(
                        retry: min(failures - 1, 16), retryAfter: error.retryAfter)
                    let metadata: Logger.Metadata = ["error": "\(error)", "retry_in_s": "\(delay.seconds)"]
                    if error.isTransient {
                        logger.warning("cannot lease jobs; retrying", metadata: metadata)
                    } else {
                        logger.error("the control plane refused a lease request; retrying", metadata: metadata)
                    }
                    _ = await sleep(for: delay, unless: drainSignal)
                case nil:
                    continue
                }
            }
            if drainSignal.isFired {
                logger.info("draining: no new leases", metadata: ["running": "\(slots.busyCount)"])
            }
        }
    }

    private func recordWaiting(_ change: Int) {
        let waiting = state.withLock { state in
            state.waiting += change
            return state.waiting
        }
        metrics.jobsWaiting.record(waiting)
    }

    /// Jobs leased ahead of free slots: one per slot while this node's jobs are short, so a slot that frees
    /// starts its next job at once; none while they are long, or before one has finished.
    private var leaseAhead: Int {
        guard let typical = state.withLock({ $0.typicalJobSeconds }), typical < configuration.leaseAheadBelow.seconds
        else { return 0 }
        return max(0, min(slots.capacity, ValidationLimits.default.maxSlots - slots.capacity))
    }

    // MARK: - One job

    private func runJob(
        _ job: LeasedJob, hold: HeldJob, revoked: OneShot, client: ControlPlaneClient,
        deliveries: AsyncStream<SpooledCompletion>.Continuation
    ) async {
        var jobLogger = self.logger
        jobLogger[metadataKey: "job"] = "\(job.jobID)"
        jobLogger[metadataKey: "lease"] = "\(job.leaseID)"
        jobLogger[metadataKey: "task"] = "\(job.task.id)"
        jobLogger[metadataKey: "model"] = "\(job.candidate.model)"
        // A job leased ahead waits here for a slot. Revoked, or the agent stopping, it never starts: its lease
        // is dropped (or expires) and the job is leased again.
        let slotTaken = await race({ await self.slots.takeWhenFree() }, until: revoked)
        recordWaiting(-1)
        guard let slot = slotTaken else {
            state.withLock { _ = $0.running.removeValue(forKey: job.leaseID) }
            jobLogger.info(revoked.isFired ? "lease revoked before the job started" : "job dropped before it started")
            return
        }
        let taken = TakenSlot(slot, of: slots)
        defer { taken.release() }
        metrics.jobsRunning.record(slots.busyCount)
        jobLogger[metadataKey: "slot"] = "\(slot)"
        let logger = jobLogger
        logger.info("job started", metadata: ["attempt": "\(job.attempt)"])
        let started = ContinuousClock.now
        let batcher = JobEventBatcher(maxDelay: configuration.eventDelay)
        batcher.emit(.jobState(.running))
        let events = client.withRetry(RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(100), maxDelay: .seconds(2)))
        let evaluator = self.evaluator
        let completion = await withTaskGroup(of: Void.self) { group -> SpooledCompletion? in
            group.addTask {
                await batcher.run { batch in
                    await self.post(batch, job: job, client: events, revoked: revoked, logger: logger)
                }
            }
            let result = await race(
                { () async -> JobResult? in
                    await evaluator.evaluate(
                        task: job.task, candidateFiles: job.candidate.files, model: job.candidate.model, slot: slot,
                        quality: job.scoreWeights.quality > 0,
                        progress: { progress in
                            switch progress {
                            case .step(let step): batcher.emit(.step(step))
                            case .test(let test): batcher.emit(.test(test))
                            }
                        })
                }, until: revoked)
            batcher.close()
            let seconds = (ContinuousClock.now - started).seconds
            metrics.jobDuration.recordSeconds(seconds)
            if result != nil {
                state.withLock { state in
                    state.typicalJobSeconds = state.typicalJobSeconds.map { 0.8 * $0 + 0.2 * seconds } ?? seconds
                }
            }
            // The task's reference solution may be timed in this job's slot; after that no sandbox of this job
            // runs any more, and the next job may have the slot while this one's result is written and its last
            // progress events are still on their way.
            let reference = await self.referenceCPUTime(
                for: job, result: result, slot: slot, revoked: revoked, logger: logger)
            taken.release()
            metrics.jobsRunning.record(slots.busyCount)
            // The result goes to disk while the last progress events are still being sent (a slow or absent
            // control plane must not put it at risk); it is handed for delivery only after them, so a watcher
            // sees the steps and tests before the job's final state. Once it is recorded the control plane no
            // longer counts the job as held: the agent may lease another.
            let completion = await self.record(
                result, reference: reference?.seconds, of: job, revoked: revoked, logger: logger)
            hold.letGo()
            // A candidate that is the reference timed it: kept for later jobs, now that the slot is free (the
            // record goes to disk).
            if let reference, reference.byThisJob {
                await self.references.record(reference.seconds, for: job.task)
            }
            await group.waitForAll()
            return completion
        }
        if let completion {
            deliveries.yield(completion)
        }
    }

    /// Turns a finished evaluation into a spooled completion, or drops it (revoked, or the agent stopping).
    private func record(
        _ result: JobResult?, reference: Double?, of job: LeasedJob, revoked: OneShot, logger: Logger
    ) async -> SpooledCompletion? {
        guard let result, !revoked.isFired, !Task.isCancelled else {
            state.withLock { _ = $0.running.removeValue(forKey: job.leaseID) }
            if revoked.isFired {
                metrics.failure(.leaseRevoked)
                logger.warning("the control plane revoked the lease; the job was stopped and its result dropped")
            } else {
                logger.info("job abandoned: the agent is stopping; its lease will expire and it will run again")
            }
            return nil
        }
        for step in result.steps {
            metrics.sandboxDuration.recordSeconds(step.wallTimeS)
            metrics.stepDuration(step.name).recordSeconds(step.wallTimeS)
        }
        metrics.jobFinished(result.verdict)
        if result.verdict == .errored {
            metrics.failure(.jobErrored)
            logger.warning("job errored: the node could not evaluate it", metadata: ["error": "\(result.error ?? "")"])
        }

        let completion = SpooledCompletion(
            jobID: job.jobID, agentID: agentID,
            request: CompletionRequest(leaseID: job.leaseID, result: result, referenceCPUTimeS: reference))
        if configuration.spoolMode == .beforeSending {
            keep(completion, logger: logger)
        }
        state.withLock { state in
            state.running.removeValue(forKey: job.leaseID)
            state.undelivered.insert(job.leaseID)
        }
        metrics.spoolDepth.record(spool.depth)
        logger.info(
            "job finished",
            metadata: [
                "verdict": "\(result.verdict.rawValue)", "tests": "\(result.testsPassed)/\(result.testsTotal)",
                "reference_cpu_s": "\(reference.map { "\($0)" } ?? "none")",
            ])
        return completion
    }

    private func post(
        _ batch: [JobEvent], job: LeasedJob, client: ControlPlaneClient, revoked: OneShot, logger: Logger
    ) async {
        do {
            _ = try await client.postEvents(jobID: job.jobID, JobEventBatch(leaseID: job.leaseID, events: batch))
        } catch {
            if error.kind == .cancelled { return }
            if error.status == 409 {
                // The lease is gone: nobody wants this job's progress or result from here any more.
                logger.warning("the control plane refused progress events as stale; stopping the job")
                revoked.fire()
                return
            }
            metrics.failure(.events)
            logger.warning(
                "progress events were not delivered (the completion carries them anyway)",
                metadata: ["error": "\(error)", "events": "\(batch.count)"])
        }
    }

    /// The task's reference CPU time on this node, to send with the result: reused from the job itself when its
    /// candidate is the reference, else measured once per task (and kept), else nil. Nil for a result that will
    /// be dropped (none, revoked, the agent stopping). Not measured for a run that weighs efficiency 0: it would
    /// cost a whole second evaluation for a part nobody scores. `byThisJob`: the job's own candidate is the
    /// reference, and its time is not yet kept.
    private func referenceCPUTime(
        for job: LeasedJob, result: JobResult?, slot: Int, revoked: OneShot, logger: Logger
    ) async -> (seconds: Double, byThisJob: Bool)? {
        guard let result, !revoked.isFired, !Task.isCancelled, configuration.measureReferenceTimes,
            let reference = job.task.reference, !reference.isEmpty, result.verdict != .errored
        else { return nil }
        if job.candidate.files == reference {
            guard result.verdict == .passed, let seconds = ReferenceTimes.testCPUTime(result) else { return nil }
            return (seconds, true)
        }
        guard job.scoreWeights.efficiency > 0 else { return nil }
        let evaluator = self.evaluator
        let task = job.task
        let seconds = await references.cpuTime(for: task) {
            logger.info("measuring the task's reference solution on this node")
            let measured = await evaluator.evaluate(
                task: task, candidateFiles: reference, model: "reference", slot: slot, quality: false, progress: nil)
            if Task.isCancelled { return .unknown }
            switch measured.verdict {
            case .passed:
                return ReferenceTimes.testCPUTime(measured).map { .measured($0) } ?? .noBaseline
            case .errored:
                self.metrics.failure(.referenceMeasurement)
                logger.warning(
                    "could not measure the reference solution", metadata: ["error": "\(measured.error ?? "")"])
                return .unknown
            case .failed, .buildFailed, .timeout:
                logger.warning(
                    "the task's reference solution does not pass on this node; no efficiency baseline",
                    metadata: ["verdict": "\(measured.verdict.rawValue)"])
                return .noBaseline
            }
        }
        return seconds.map { ($0, false) }
    }

    // MARK: - Heartbeats

    /// What a heartbeat says now: the leases to renew, the load, and whether this agent is draining.
    private func heartbeatRequest(agentID: String) -> HeartbeatRequest {
        let maxLeases = ValidationLimits.default.maxSlots
        let leases = state.withLock { state in
            Array((state.running.keys.sorted() + state.undelivered.sorted()).prefix(maxLeases))
        }
        return HeartbeatRequest(
            agentID: agentID, leaseIDs: leases,
            load: AgentLoad(
                runningJobs: slots.busyCount, slots: configuration.slots, loadAverage: NodeInventory.loadAverage()),
            draining: drainSignal.isFired ? true : nil)
    }

    /// Once draining, tells the control plane at once (not at the next heartbeat): it then answers the waiting
    /// lease request with no job. Should it not hear of the drain, the waiting request is given up after a
    /// few seconds.
    private func announceDrain(
        agentID: String, client: ControlPlaneClient, giveUpLease: OneShot, leasingStopped: OneShot
    ) async {
        await drainSignal.wait()
        guard !Task.isCancelled else { return }
        do {
            _ = try await client.withRetry(.never).heartbeat(heartbeatRequest(agentID: agentID))
            // The answer is on its way; the grace only covers one lost on the network.
            _ = await sleep(for: .seconds(5), unless: leasingStopped)
        } catch {
            logger.warning("could not tell the control plane this node is draining", metadata: ["error": "\(error)"])
        }
        giveUpLease.fire()
    }

    private func heartbeatLoop(agentID: String, interval: Duration, client: ControlPlaneClient, stop: OneShot) async {
        // A few quick retries, all well inside one interval: a missed heartbeat is made up by the next one.
        let beats = client.withRetry(
            RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(200), maxDelay: max(interval / 4, .milliseconds(200))))
        while await sleep(for: interval, unless: stop) {
            let request = heartbeatRequest(agentID: agentID)
            do {
                let reply = try await beats.heartbeat(request)
                for lease in reply.revoked {
                    if let signal = state.withLock({ $0.running[lease] }) {
                        logger.warning("lease revoked by the control plane", metadata: ["lease": "\(lease)"])
                        signal.fire()
                    }
                }
                if reply.drain, !drainSignal.isFired {
                    logger.notice("the control plane asked this node to drain")
                    drain()
                }
            } catch {
                if error.kind == .cancelled { return }
                metrics.failure(.heartbeat)
                logger.warning("heartbeat failed", metadata: ["error": "\(error)"])
            }
        }
    }

    // MARK: - Delivering completions

    private func deliveryLoop(
        _ deliveries: AsyncStream<SpooledCompletion>, client: ControlPlaneClient, currentAgentID: String
    ) async {
        for await completion in deliveries {
            // A completion spooled by an earlier registration goes out with that registration's credential.
            var sender = client.withRetry(.never)
            if let owner = completion.agentID, owner != currentAgentID {
                if let token = credentials.token(agentID: owner) {
                    sender = sender.withToken(token)
                }
            }
            await deliver(completion, client: sender)
            metrics.spoolDepth.record(spool.depth)
        }
    }

    /// Writes a completion to the spool. Failing that, it is still delivered from memory: only the agent
    /// stopping before delivering it would lose it now.
    private func keep(_ completion: SpooledCompletion, logger: Logger) {
        do {
            try spool.write(completion)
        } catch {
            metrics.failure(.spool)
            logger.error(
                "cannot spool the completion; delivering it without a copy on disk", metadata: ["error": "\(error)"])
        }
    }

    private func deliver(_ completion: SpooledCompletion, client: ControlPlaneClient) async {
        var logger = self.logger
        logger[metadataKey: "job"] = "\(completion.jobID)"
        logger[metadataKey: "lease"] = "\(completion.request.leaseID)"
        var failures = 0
        // Spooled before sending, or left from an earlier run; else spooled once the first attempt fails.
        var spooled = configuration.spoolMode == .beforeSending || spool.contains(completion)
        while !Task.isCancelled {
            do {
                let reply = try await client.complete(jobID: completion.jobID, completion.request)
                logger.info("completion delivered", metadata: ["state": "\(reply.state.rawValue)"])
                finished(completion)
                return
            } catch {
                if !spooled, !error.isStaleLease {
                    keep(completion, logger: logger)
                    spooled = true
                }
                if error.kind == .cancelled { return }
                if error.isStaleLease {
                    metrics.failure(.staleLease)
                    logger.warning(
                        "the control plane refused the result as stale (lease expired or job cancelled); dropped",
                        metadata: ["error": "\(error)"])
                    finished(completion)
                    return
                }
                guard error.isTransient else {
                    metrics.failure(.completionRejected)
                    logger.error(
                        "the control plane refused the result; kept in the spool's rejected/ directory",
                        metadata: ["error": "\(error)"])
                    spool.reject(completion)
                    state.withLock { _ = $0.undelivered.remove(completion.request.leaseID) }
                    return
                }
                failures += 1
                metrics.failure(.completionRetry)
                let delay = self.client.configuration.retry.delay(
                    retry: min(failures - 1, 16), retryAfter: error.retryAfter)
                logger.warning(
                    "cannot deliver the result yet; it stays in the spool",
                    metadata: ["error": "\(error)", "retry_in_s": "\(delay.seconds)"])
                do {
                    try await Task.sleep(for: delay)
                } catch {
                    return
                }
            }
        }
        // Stopped before a first attempt: kept for the next start.
        if !spooled { keep(completion, logger: logger) }
    }

    private func finished(_ completion: SpooledCompletion) {
        spool.remove(completion)
        state.withLock { _ = $0.undelivered.remove(completion.request.leaseID) }
    }
}
