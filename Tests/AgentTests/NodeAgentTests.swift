import AsyncHTTPClient
import CrucibleAPI
import Foundation
import Synchronization
import Testing

@testable import Agent

/// Polls `condition` until it holds or `timeout` passes.
/// Generous: `make test` runs every suite at once on a small machine, where tasks can stall for seconds.
func eventually(timeout: Duration = .seconds(60), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}

@Suite("NodeAgent against a scripted control plane on loopback")
struct NodeAgentTests {
    static func configuration(
        spool: String, slots: Int = 2, leaseAheadBelow: Duration = .seconds(2),
        spoolMode: SpoolMode = .beforeSending
    ) -> NodeAgentConfiguration {
        NodeAgentConfiguration(
            name: "test-node", slots: slots, inventory: Jobs.inventory, spoolDirectory: spool, labels: ["zone": "a"],
            slotBase: 40, leaseWait: .seconds(1), leaseAheadBelow: leaseAheadBelow, spoolMode: spoolMode)
    }

    /// Runs an agent until `body` returns, then drains it and waits for `run()` to return.
    static func withAgent(
        _ controlPlane: FakeControlPlane, evaluator: any JobEvaluating, spool: String, slots: Int = 2,
        leaseAheadBelow: Duration = .seconds(2), spoolMode: SpoolMode = .beforeSending,
        _ body: @Sendable (NodeAgent, CannedServer) async throws -> Void
    ) async throws {
        try await CannedServer.run {
            await controlPlane.handle($0)
        } body: { server, url in
            try await withClient(url, token: "registration-token") { client in
                let agent = try NodeAgent(
                    configuration: configuration(
                        spool: spool, slots: slots, leaseAheadBelow: leaseAheadBelow, spoolMode: spoolMode),
                    client: client, evaluator: evaluator, logger: testLogger("agent"))
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await agent.run() }
                    try await body(agent, server)
                    agent.drain()
                    try await group.waitForAll()
                }
            }
        }
    }

    @Test func runsEveryJobOnceWithinItsSlotsAndReportsProgress() async throws {
        try await withTemporaryDirectory { spool in
            let jobs = (1...5).map { Jobs.job($0) }
            let controlPlane = FakeControlPlane(jobs: jobs)
            let evaluator = ScriptedEvaluator(duration: .milliseconds(300))
            try await Self.withAgent(controlPlane, evaluator: evaluator, spool: spool) { _, _ in
                #expect(await eventually { controlPlane.completions.count == 5 })
            }
            let completions = controlPlane.completions
            #expect(Set(completions.map(\.jobID)) == Set(jobs.map(\.jobID)), "each job completed")
            #expect(completions.count == 5, "and only once")
            #expect(completions.allSatisfy { $0.request.result.verdict == .passed })
            // The credential of the registration in use (a registration whose reply was lost on a stalled
            // machine is retried, and the fake numbers them).
            let registrations = controlPlane.state.withLock { $0.registrations.count }
            #expect(
                completions.allSatisfy { $0.authorization == "Bearer agent-token-\(registrations)" },
                "the agent's own token")
            for completion in completions {
                #expect(completion.request.leaseID == "lease-" + completion.jobID.dropFirst(4))
            }

            let runs = evaluator.finishedRuns
            #expect(evaluator.peakConcurrency <= 2, "never more jobs than slots")
            #expect(!evaluator.slotClash, "never two jobs in one slot")
            #expect(Set(runs.map(\.slot)).isSubset(of: [40, 41]), "slots from slotBase")
            // The reference is measured once for the task, and its time goes with every completion.
            #expect(runs.filter { $0.model == "reference" }.count == 1)
            #expect(completions.allSatisfy { $0.request.referenceCPUTimeS == 0.25 })

            let registration = try #require(controlPlane.state.withLock { $0.registrations.last })
            #expect(registration.name == "test-node" && registration.slots == 2)
            #expect(registration.toolchains == [.python] && registration.cgroupVersion == .v1)
            #expect(registration.labels["zone"] == "a")
            #expect(registration.labels["crucible.cores"] == "2")
            #expect(registration.labels["crucible.memory_mib"] == "4096")
            #expect(registration.labels["crucible.toolchains"] == "python")

            let events = controlPlane.state.withLock { $0.events }
            for job in jobs {
                let mine = events.filter { $0.jobID == job.jobID }.flatMap(\.events)
                #expect(mine.first?.payload == .jobState(.running), "\(job.jobID) starts with running")
                #expect(mine.map(\.seq) == Array(1...mine.count), "\(job.jobID): seq from 1, no gaps or repeats")
                #expect(mine.filter { $0.type == .test }.count == 3)
                #expect(mine.filter { $0.type == .step }.count == 2)
            }
            #expect(try CompletionSpool(directory: spool).depth == 0, "nothing left in the spool")
        }
    }

    @Test func shortJobsLeasedAheadStillRunOneAtATimeInTheirSlot() async throws {
        try await withTemporaryDirectory { spool in
            let jobs = (1...8).map { Jobs.job($0) }
            let controlPlane = FakeControlPlane(jobs: jobs)
            let evaluator = ScriptedEvaluator(duration: .milliseconds(50))
            try await Self.withAgent(controlPlane, evaluator: evaluator, spool: spool, slots: 1) { _, _ in
                #expect(await eventually { controlPlane.completions.count == 8 })
            }
            let completions = controlPlane.completions
            #expect(completions.count == 8 && Set(completions.map(\.jobID)) == Set(jobs.map(\.jobID)))
            #expect(evaluator.peakConcurrency <= 1, "one slot: one job at a time")
            #expect(!evaluator.slotClash)
            let asked = controlPlane.state.withLock { $0.leaseRequests.map(\.maxJobs) }
            #expect(asked.first == 1, "nothing ahead before a job has shown how long jobs take: \(asked)")
            #expect(asked.allSatisfy { $0 <= 2 }, "never more than one job ahead of the slot: \(asked)")
        }
    }

    @Test func longJobsAreNotLeasedAhead() async throws {
        try await withTemporaryDirectory { spool in
            let controlPlane = FakeControlPlane(jobs: (1...4).map { Jobs.job($0) })
            let evaluator = ScriptedEvaluator(duration: .milliseconds(150))
            try await Self.withAgent(
                controlPlane, evaluator: evaluator, spool: spool, slots: 1, leaseAheadBelow: .milliseconds(50)
            ) { _, _ in
                #expect(await eventually { controlPlane.completions.count == 4 })
            }
            let asked = controlPlane.state.withLock { $0.leaseRequests.map(\.maxJobs) }
            #expect(asked.count >= 4 && asked.allSatisfy { $0 == 1 }, "only the free slot: \(asked)")
        }
    }

    @Test func aJobLeasedAheadWhoseLeaseIsRevokedNeverRuns() async throws {
        try await withTemporaryDirectory { spool in
            let controlPlane = FakeControlPlane(jobs: [
                Jobs.job(1), Jobs.job(2, model: "held"), Jobs.job(3, model: "ahead"),
            ])
            let evaluator = ScriptedEvaluator(duration: .milliseconds(50), held: ["held"])
            // Any finished job counts as short here: on a loaded machine job 1's 50 ms can stretch past the
            // default 2 s, and then nothing is leased ahead (what `longJobsAreNotLeasedAhead` checks).
            try await Self.withAgent(
                controlPlane, evaluator: evaluator, spool: spool, slots: 1, leaseAheadBelow: .seconds(3600)
            ) { agent, _ in
                // Job 1 has finished: job 2 takes the slot and job 3 waits, leased ahead of it.
                try #require(await eventually { agent.runningLeases == ["lease-2", "lease-3"] })
                controlPlane.state.withLock { $0.revoke = ["lease-3"] }
                #expect(await eventually { agent.runningLeases == ["lease-2"] })
                evaluator.release.fire()
                #expect(await eventually { controlPlane.completions.count == 2 })
            }
            #expect(controlPlane.completions.map(\.jobID).sorted() == ["job-1", "job-2"])
            #expect(!evaluator.finishedRuns.contains { $0.model == "ahead" }, "the revoked job never started")
        }
    }

    @Test func heartbeatsCarryTheLeasesAndLoad() async throws {
        try await withTemporaryDirectory { spool in
            let controlPlane = FakeControlPlane(jobs: [Jobs.job(1)])
            let evaluator = ScriptedEvaluator(duration: .seconds(1))
            try await Self.withAgent(controlPlane, evaluator: evaluator, spool: spool) { _, _ in
                #expect(
                    await eventually {
                        controlPlane.state.withLock { $0.heartbeats.contains { $0.leaseIDs == ["lease-1"] } }
                    })
                #expect(await eventually { controlPlane.completions.count == 1 })
            }
            let beats = controlPlane.state.withLock { $0.heartbeats }
            // The load counts the jobs in a slot: the lease is renewed also before and after, when it is not.
            let busy = try #require(beats.first { $0.leaseIDs == ["lease-1"] && $0.load.runningJobs == 1 })
            #expect(busy.agentID == "agent-\(controlPlane.state.withLock { $0.registrations.count })")
            #expect(busy.load.slots == 2)
        }
    }

    @Test func aRevokedLeaseStopsItsJobAndDropsTheResult() async throws {
        try await withTemporaryDirectory { spool in
            let controlPlane = FakeControlPlane(jobs: [Jobs.job(1, model: "held"), Jobs.job(2)])
            let evaluator = ScriptedEvaluator(held: ["held"])
            controlPlane.state.withLock { $0.revoke = ["lease-1"] }
            try await Self.withAgent(controlPlane, evaluator: evaluator, spool: spool) { agent, _ in
                #expect(await eventually { evaluator.finishedRuns.contains { $0.cancelled } })
                #expect(await eventually { controlPlane.completions.count == 1 })
            }
            #expect(controlPlane.completions.map(\.jobID) == ["job-2"], "the revoked job's result is never sent")
            // `cancelled` is only set when the evaluation was interrupted, not run to its end.
            #expect(evaluator.finishedRuns.filter(\.cancelled).count == 1)
        }
    }

    @Test func aDrainFromTheControlPlaneFinishesRunningJobsThenStops() async throws {
        try await withTemporaryDirectory { spool in
            let controlPlane = FakeControlPlane(jobs: [Jobs.job(1, model: "held")])
            let evaluator = ScriptedEvaluator(held: ["held"])
            try await CannedServer.run {
                await controlPlane.handle($0)
            } body: { server, url in
                try await withClient(url) { client in
                    let agent = try NodeAgent(
                        configuration: Self.configuration(spool: spool, slots: 1), client: client, evaluator: evaluator,
                        logger: testLogger())
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask { try await agent.run() }
                        #expect(await eventually { !agent.runningLeases.isEmpty })
                        controlPlane.state.withLock { $0.drain = true }
                        controlPlane.enqueue(Jobs.job(2))
                        #expect(await eventually { agent.isDraining })
                        evaluator.release.fire()
                        // run() returns on its own: the drain came from the control plane.
                        try await group.waitForAll()
                    }
                    #expect(agent.isDraining)
                }
            }
            #expect(controlPlane.completions.map(\.jobID) == ["job-1"], "the running job finished and was delivered")
            #expect(controlPlane.state.withLock { $0.queue.map(\.jobID) } == ["job-2"], "no new lease while draining")
        }
    }

    @Test func completionsAreRetriedUntilTakenAndStaleOnesDropped() async throws {
        try await withTemporaryDirectory { spool in
            let controlPlane = FakeControlPlane(jobs: [Jobs.job(1)])
            controlPlane.state.withLock { $0.completeStatuses = [503, 500] }
            try await Self.withAgent(controlPlane, evaluator: ScriptedEvaluator(), spool: spool) { _, _ in
                #expect(await eventually { controlPlane.completions.count == 1 })
            }
            #expect(try CompletionSpool(directory: spool).depth == 0)
        }
        try await withTemporaryDirectory { spool in
            let controlPlane = FakeControlPlane(jobs: [Jobs.job(1)])
            controlPlane.state.withLock { $0.completeStatuses = [409] }
            try await Self.withAgent(controlPlane, evaluator: ScriptedEvaluator(), spool: spool) { _, server in
                #expect(await eventually { !server.requests(path: "/v1/jobs/job-1/complete").isEmpty })
                #expect(await eventually { (try? CompletionSpool(directory: spool).depth) == 0 })
            }
            #expect(controlPlane.completions.isEmpty)
        }
        try await withTemporaryDirectory { spool in
            let controlPlane = FakeControlPlane(jobs: [Jobs.job(1)])
            controlPlane.state.withLock { $0.completeStatuses = [400] }
            try await Self.withAgent(controlPlane, evaluator: ScriptedEvaluator(), spool: spool) { _, _ in
                #expect(
                    await eventually { FileManager.default.fileExists(atPath: spool + "/rejected/job-1.lease-1.json") })
            }
        }
    }

    /// The spool directory's own entries, by their last change (a file made, renamed or removed in it).
    static func lastChange(_ directory: String) -> timespec {
        var status = stat()
        _ = stat(directory, &status)
        return status.st_mtim
    }

    /// `crucible up`'s mode: a completion delivered at once never touches the disk; one that fails to go is
    /// spooled (here: refused for good, so it is kept in rejected/).
    @Test(arguments: [SpoolMode.whenUndelivered, .beforeSending])
    func aSpoolWrittenWhenUndeliveredHoldsOnlyWhatFailedToGo(mode: SpoolMode) async throws {
        try await withTemporaryDirectory { spool in
            // Made now, as the agent would at start: from here on, only a completion changes the directory.
            for directory in ["credentials", "reference-times"] {
                try FileManager.default.createDirectory(
                    atPath: spool + "/" + directory, withIntermediateDirectories: true)
            }
            let before = Self.lastChange(spool)
            let controlPlane = FakeControlPlane(jobs: [Jobs.job(1)])
            try await Self.withAgent(controlPlane, evaluator: ScriptedEvaluator(), spool: spool, spoolMode: mode) {
                _, _ in
                #expect(await eventually { controlPlane.completions.count == 1 })
            }
            let after = Self.lastChange(spool)
            let untouched = before.tv_sec == after.tv_sec && before.tv_nsec == after.tv_nsec
            #expect(untouched == (mode == .whenUndelivered), "the spool directory changed: \(before) → \(after)")
            #expect(try CompletionSpool(directory: spool).depth == 0)
        }
        try await withTemporaryDirectory { spool in
            let controlPlane = FakeControlPlane(jobs: [Jobs.job(1)])
            controlPlane.state.withLock { $0.completeStatuses = [400] }
            try await Self.withAgent(controlPlane, evaluator: ScriptedEvaluator(), spool: spool, spoolMode: mode) {
                _, _ in
                #expect(
                    await eventually { FileManager.default.fileExists(atPath: spool + "/rejected/job-1.lease-1.json") })
            }
        }
    }

    /// `crucible up`'s mode: an agent stopped while its result is still on its way keeps it for the next start.
    @Test func aResultUndeliveredWhenTheAgentStopsIsSpooled() async throws {
        try await withTemporaryDirectory { spool in
            let controlPlane = FakeControlPlane(jobs: [Jobs.job(1)])
            controlPlane.state.withLock { $0.completeHangs = true }
            try await CannedServer.run {
                await controlPlane.handle($0)
            } body: { server, url in
                try await withClient(url, token: "registration-token") { client in
                    let agent = try NodeAgent(
                        configuration: Self.configuration(spool: spool, spoolMode: .whenUndelivered), client: client,
                        evaluator: ScriptedEvaluator(), logger: testLogger("agent"))
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask { try await agent.run() }
                        #expect(await eventually { !server.requests(path: "/v1/jobs/job-1/complete").isEmpty })
                        #expect(try CompletionSpool(directory: spool).depth == 0, "not spooled while on its way")
                        group.cancelAll()
                        try await group.waitForAll()
                    }
                }
                controlPlane.state.withLock { $0.completeHangs = false }
            }
            #expect(try CompletionSpool(directory: spool).pending().completions.map(\.jobID) == ["job-1"])
        }
    }

    @Test func completionsLeftByACrashAreDeliveredAtStartUnderTheirOwnCredential() async throws {
        try await withTemporaryDirectory { spool in
            let spooled = SpooledCompletion(
                jobID: "job-old", agentID: "agent-old",
                request: CompletionRequest(
                    leaseID: "lease-old", result: JobResult(taskID: "t", model: "m", verdict: .failed)))
            try CompletionSpool(directory: spool).write(spooled)
            CredentialStore(directory: spool + "/credentials").save(
                agentID: "agent-old", token: "old-token", logger: testLogger())
            let controlPlane = FakeControlPlane()
            try await Self.withAgent(controlPlane, evaluator: ScriptedEvaluator(), spool: spool) { _, _ in
                #expect(await eventually { controlPlane.completions.count == 1 })
            }
            let delivered = try #require(controlPlane.completions.first)
            #expect(delivered.jobID == "job-old" && delivered.request == spooled.request)
            #expect(delivered.authorization == "Bearer old-token")
            #expect(try CompletionSpool(directory: spool).depth == 0)
            let credentials = try FileManager.default.contentsOfDirectory(atPath: spool + "/credentials")
            let current = "agent-\(controlPlane.state.withLock { $0.registrations.count }).json"
            #expect(credentials == [current], "the old credential is forgotten once nothing needs it")
        }
    }

    @Test func aCandidateThatIsTheReferenceIsNotRunTwice() async throws {
        try await withTemporaryDirectory { spool in
            let gold = Jobs.job(1, model: "gold", files: Jobs.task.reference ?? [:])
            let controlPlane = FakeControlPlane(jobs: [gold])
            let evaluator = ScriptedEvaluator()
            try await Self.withAgent(controlPlane, evaluator: evaluator, spool: spool) { _, _ in
                #expect(await eventually { controlPlane.completions.count == 1 })
            }
            #expect(evaluator.finishedRuns.map(\.model) == ["gold"])
            #expect(controlPlane.completions.first?.request.referenceCPUTimeS == 0.5, "its own test-step CPU time")

            // Kept on disk: a restarted agent does not measure the task again.
            let again = FakeControlPlane(jobs: [Jobs.job(2)])
            let second = ScriptedEvaluator()
            try await Self.withAgent(again, evaluator: second, spool: spool) { _, _ in
                #expect(await eventually { again.completions.count == 1 })
            }
            #expect(second.finishedRuns.map(\.model) == ["m1"])
            #expect(again.completions.first?.request.referenceCPUTimeS == 0.5)
        }
    }

    @Test func partsWeighingZeroAreNotMeasured() async throws {
        try await withTemporaryDirectory { spool in
            // A correctness-only run: no lint step, and no reference timing for an efficiency nobody scores.
            var lean = Jobs.job(1)
            lean.weights = ["correctness": 1]
            let full = Jobs.job(2, model: "m2", task: Jobs.otherTask)
            let controlPlane = FakeControlPlane(jobs: [lean, full])
            let evaluator = ScriptedEvaluator()
            try await Self.withAgent(controlPlane, evaluator: evaluator, spool: spool) { _, _ in
                #expect(await eventually { controlPlane.completions.count == 2 })
            }
            let runs = evaluator.finishedRuns
            #expect(runs.first { $0.model == "m1" }?.quality == false)
            #expect(runs.first { $0.model == "m2" }?.quality == true, "the default weights lint")
            // Only the default-weighted job's task had its reference measured, and without linting it.
            let references = runs.filter { $0.model == "reference" }
            #expect(references.count == 1 && references.first?.quality == false)
            let byJob = Dictionary(uniqueKeysWithValues: controlPlane.completions.map { ($0.jobID, $0.request) })
            #expect(byJob["job-1"]?.referenceCPUTimeS == nil)
            #expect(byJob["job-2"]?.referenceCPUTimeS == 0.25)
        }
    }

    @Test func aWrongAnswerIsFailedAndHasNoEffectOnTheBaseline() async throws {
        try await withTemporaryDirectory { spool in
            let controlPlane = FakeControlPlane(jobs: [Jobs.job(1, model: "wrong")])
            try await Self.withAgent(controlPlane, evaluator: ScriptedEvaluator(), spool: spool) { _, _ in
                #expect(await eventually { controlPlane.completions.count == 1 })
            }
            let result = try #require(controlPlane.completions.first).request
            #expect(result.result.verdict == .failed)
            #expect(result.referenceCPUTimeS == 0.25)
        }
    }

    @Test func cancellingTheAgentAbandonsItsJobsWithoutAResult() async throws {
        try await withTemporaryDirectory { spool in
            let controlPlane = FakeControlPlane(jobs: [Jobs.job(1, model: "held")])
            let evaluator = ScriptedEvaluator(held: ["held"])
            try await CannedServer.run {
                await controlPlane.handle($0)
            } body: { _, url in
                try await withClient(url) { client in
                    let agent = try NodeAgent(
                        configuration: Self.configuration(spool: spool), client: client, evaluator: evaluator,
                        logger: testLogger())
                    let (elapsed, latency) = try await SchedulerLatency.measure {
                        try await withThrowingTaskGroup(of: Void.self) { group in
                            group.addTask { try await agent.run() }
                            #expect(await eventually { !agent.runningLeases.isEmpty })
                            let cancelled = ContinuousClock.now
                            group.cancelAll()
                            try await group.waitForAll()
                            return (ContinuousClock.now - cancelled).seconds
                        }
                    }
                    #expect(elapsed < 2 + latency.worstLateness, "stopped at once")
                    #expect(evaluator.finishedRuns.allSatisfy { $0.cancelled })
                }
            }
            #expect(controlPlane.completions.isEmpty)
            #expect(try CompletionSpool(directory: spool).depth == 0, "an abandoned job leaves nothing to deliver")
        }
    }

    @Test func progressReachesTheControlPlaneWithinTheWindow() async throws {
        try await withTemporaryDirectory { spool in
            let controlPlane = FakeControlPlane(jobs: [Jobs.job(1)])
            let evaluator = ScriptedEvaluator(duration: .milliseconds(1500), testCount: 30)
            let (_, latency) = try await SchedulerLatency.measure {
                try await Self.withAgent(controlPlane, evaluator: evaluator, spool: spool, slots: 1) { _, _ in
                    #expect(await eventually { controlPlane.completions.count == 1 })
                }
            }
            let batches = controlPlane.state.withLock { $0.events }.filter { $0.jobID == "job-1" }
            var lags: [Double] = []
            for batch in batches {
                for event in batch.events { lags.append(batch.receivedAt.timeIntervalSince(event.at)) }
            }
            #expect(lags.count == 33)
            let bound = 0.25 + 0.2 + latency.worstLateness
            #expect((lags.max() ?? 1) <= bound, "worst lag \(lags.max() ?? -1) s, bound \(bound) s")
            #expect(batches.count < 33, "batched: \(batches.count) requests")
        }
    }

    @Test func badConfigurationIsReportedNamingTheFlag() async throws {
        try await withTemporaryDirectory { spool in
            try await ControlPlaneClient.withHTTPClient { http in try Self.checkConfiguration(http, spool: spool) }
        }
    }

    static func checkConfiguration(_ http: HTTPClient, spool: String) throws {
        do {
            let client = try ControlPlaneClient(
                baseURL: "http://127.0.0.1:1", token: "t", httpClient: http, logger: testLogger())
            var configuration = Self.configuration(spool: spool)
            configuration.name = "bad name!"
            let badName = #expect(throws: AgentError.self) {
                try NodeAgent(
                    configuration: configuration, client: client, evaluator: ScriptedEvaluator(), logger: testLogger())
            }
            #expect(badName?.message.hasPrefix("--name") == true)
            configuration = Self.configuration(spool: spool)
            configuration.labels = ["crucible.cores": "64"]
            let reserved = #expect(throws: AgentError.self) {
                try NodeAgent(
                    configuration: configuration, client: client, evaluator: ScriptedEvaluator(), logger: testLogger())
            }
            #expect(reserved?.message.contains("crucible.") == true)
            #expect(throws: AgentError.self) { try NodeInventory.parseLabels("zone") }
            #expect(throws: AgentError.self) { try NodeInventory.parseLabels("a=1,a=2") }
            #expect(try NodeInventory.parseLabels("zone=eu-1, gpu=none") == ["zone": "eu-1", "gpu": "none"])
        }
    }
}
