import CrucibleAPI
import Foundation
import Testing

@testable import ControlPlane

/// The store's contract: the same suite on every backend.
@Suite("Store contract")
struct StoreContractTests {
    @Test(arguments: StoreBackend.allCases)
    func runIsWrittenWholeAndCountsItsJobs(_ backend: StoreBackend) async throws {
        let fixture = try await StoreFixture.make(backend)
        defer { fixture.discard() }
        let created = try await fixture.store.createRun(Samples.run(tasks: 3, candidatesPerTask: 2), tenant: "acme")
        #expect(created.jobs == 6)
        let status = try await fixture.store.runStatus(id: created.id, tenant: "acme")
        #expect(status.jobs.queued == 6)
        #expect(status.state == .queued)
        let results = try await fixture.store.runResults(id: created.id, tenant: "acme")
        #expect(results.results.count == 6)
        #expect(results.results.allSatisfy { $0.state == .queued && $0.result == nil })
    }

    @Test(arguments: StoreBackend.allCases)
    func runNamingAMissingBankTaskWritesNothing(_ backend: StoreBackend) async throws {
        let fixture = try await StoreFixture.make(backend)
        defer { fixture.discard() }
        _ = try await fixture.store.putTasks([Samples.task("banked")], tenant: "acme")
        let submission = RunSubmission(
            name: "r", taskIDs: ["banked", "missing"],
            candidates: [Samples.candidate("banked"), Samples.candidate("missing")])
        await #expect {
            _ = try await fixture.store.createRun(submission, tenant: "acme")
        } throws: { error in
            (error as? ControlPlaneError)?.field == "task_ids[1]"
        }
        #expect(try await fixture.store.runIDs(tenant: nil).isEmpty)
    }

    @Test(arguments: StoreBackend.allCases)
    func bankRefusesChangedContentUnderAnExistingID(_ backend: StoreBackend) async throws {
        let fixture = try await StoreFixture.make(backend)
        defer { fixture.discard() }
        var task = Samples.task("t")
        #expect(try await fixture.store.putTasks([task], tenant: "acme") == ["t"])
        #expect(try await fixture.store.putTasks([task], tenant: "acme") == ["t"])
        task.prompt = "changed"
        await #expect(throws: ControlPlaneError.self) { _ = try await fixture.store.putTasks([task], tenant: "acme") }
        // Another tenant has its own bank.
        #expect(try await fixture.store.putTasks([task], tenant: "other") == ["t"])
        #expect(try await fixture.store.listTasks(tenant: "acme").first?.prompt == "Add two numbers.")
    }

    @Test(arguments: StoreBackend.allCases)
    func concurrentLeasesTakeEachJobExactlyOnce(_ backend: StoreBackend) async throws {
        let fixture = try await StoreFixture.make(backend)
        defer { fixture.discard() }
        let store = fixture.store
        _ = try await store.createRun(Samples.run(tasks: 50, candidatesPerTask: 4), tenant: "acme")
        var agents: [String] = []
        for index in 0..<10 {
            agents.append(try await store.registerAgent(Samples.registration("node-\(index)", slots: 1000)))
        }
        let leased = try await withThrowingTaskGroup(of: [LeasedJob].self) { group in
            for call in 0..<100 {
                let agent = agents[call % agents.count]
                group.addTask { try await store.lease(agentID: agent, maxJobs: 3) }
            }
            var all: [LeasedJob] = []
            for try await jobs in group {
                all += jobs
            }
            return all
        }
        #expect(leased.count == 200)
        #expect(Set(leased.map(\.jobID)).count == 200)
        #expect(Set(leased.map(\.leaseID)).count == 200)
    }

    @Test(arguments: StoreBackend.allCases)
    func agentsOnlyGetTheirLanguagesAndWhatTheyMayHold(_ backend: StoreBackend) async throws {
        let fixture = try await StoreFixture.make(backend)
        defer { fixture.discard() }
        let store = fixture.store
        let rustTask = Samples.task("rusty", language: .rust)
        let submission = RunSubmission(
            name: "mixed", tasks: [Samples.task("py"), rustTask],
            candidates: [
                Samples.candidate("py"), Samples.candidate("py", model: "m2"), Samples.candidate("py", model: "m3"),
                Samples.candidate("rusty"),
            ])
        _ = try await store.createRun(submission, tenant: "acme")
        let agent = try await store.registerAgent(Samples.registration(slots: 1))
        let first = try await store.lease(agentID: agent, maxJobs: 1)
        #expect(first.count == 1)
        #expect(first.first?.task.language == .python)
        // One job running and one leased ahead of its slot: no more, though a Python job is still queued.
        let ahead = try await store.lease(agentID: agent, maxJobs: 10)
        #expect(ahead.count == 1 && ahead.first?.task.language == .python)
        #expect(try await store.lease(agentID: agent, maxJobs: 10).isEmpty, "it holds all it may")
        let third = try await store.lease(agentID: agent, maxJobs: 10, finished: [try #require(first.first?.leaseID)])
        #expect(third.count == 1, "a finished job (its result on its way) no longer counts")
    }

    @Test(arguments: StoreBackend.allCases)
    func smallRunIsNotStarvedByALargeOne(_ backend: StoreBackend) async throws {
        let fixture = try await StoreFixture.make(backend)
        defer { fixture.discard() }
        let store = fixture.store
        let big = try await store.createRun(Samples.run(tasks: 1, candidatesPerTask: 1), tenant: "acme")
        // 1,000 jobs in the big run (one task, many candidates), then a 10-job run.
        let bigRun = RunSubmission(
            name: "big", tasks: [Samples.task("b")],
            candidates: (0..<1000).map { Samples.candidate("b", model: "m\($0)") })
        let bigID = try await store.createRun(bigRun, tenant: "acme").id
        let smallRun = RunSubmission(
            name: "small", tasks: [Samples.task("s")],
            candidates: (0..<10).map { Samples.candidate("s", model: "m\($0)") })
        let smallID = try await store.createRun(smallRun, tenant: "acme").id
        _ = big
        let agent = try await store.registerAgent(Samples.registration(slots: 10))
        let leased = try await store.lease(agentID: agent, maxJobs: 10)
        let byRun = Dictionary(grouping: leased, by: \.runID).mapValues(\.count)
        #expect(byRun[smallID] ?? 0 >= 4, "the small run gets its share: \(byRun)")
        #expect(byRun[bigID] ?? 0 >= 3)
    }

    @Test(arguments: StoreBackend.allCases)
    func tenantsShareCapacityEqually(_ backend: StoreBackend) async throws {
        let fixture = try await StoreFixture.make(backend)
        defer { fixture.discard() }
        let store = fixture.store
        let one = try await store.createRun(Samples.run(tasks: 20, candidatesPerTask: 1, name: "a1"), tenant: "a")
        let two = try await store.createRun(Samples.run(tasks: 20, candidatesPerTask: 1, name: "a2"), tenant: "a")
        let other = try await store.createRun(Samples.run(tasks: 20, candidatesPerTask: 1, name: "b"), tenant: "b")
        let agent = try await store.registerAgent(Samples.registration(slots: 8))
        let leased = try await store.lease(agentID: agent, maxJobs: 8)
        let byRun = Dictionary(grouping: leased, by: \.runID).mapValues(\.count)
        #expect(byRun[other.id] == 4, "tenant b gets half: \(byRun)")
        #expect(byRun[one.id] == 2 && byRun[two.id] == 2, "tenant a's half is split between its runs: \(byRun)")
    }

    @Test(arguments: StoreBackend.allCases)
    func completionIsRecordedOnceAndRepeatsGetTheSameAnswer(_ backend: StoreBackend) async throws {
        let fixture = try await StoreFixture.make(backend)
        defer { fixture.discard() }
        let store = fixture.store
        let run = try await store.createRun(Samples.run(), tenant: "acme")
        let agent = try await store.registerAgent(Samples.registration())
        let job = try #require(try await store.lease(agentID: agent, maxJobs: 1).first)
        let result = Samples.result(for: job)
        let reply = try await store.complete(jobID: job.jobID, agentID: agent, leaseID: job.leaseID, result: result)
        #expect(reply.state == .completed)
        let again = try await store.complete(jobID: job.jobID, agentID: agent, leaseID: job.leaseID, result: result)
        #expect(again == reply)
        await #expect {
            _ = try await store.complete(jobID: job.jobID, agentID: agent, leaseID: "lease_other", result: result)
        } throws: { ($0 as? ControlPlaneError)?.code == .staleLease }
        let status = try await store.runStatus(id: run.id, tenant: "acme")
        #expect(status.jobs.completed == 1)
        #expect(status.state == .completed)
        #expect(status.completedAt != nil)
        let stored = try #require(try await store.runResults(id: run.id, tenant: "acme").results.first?.result)
        #expect(stored.verdict == .passed)
        let score = try #require(stored.score)
        #expect(score.correctness == 100)
        #expect(score.efficiency == nil, "no reference time was measured")
        #expect(score.automated > 0 && score.automated <= 100)
    }

    @Test(arguments: StoreBackend.allCases)
    func infrastructureErrorRequeuesForAnotherAgentThenErrorsForGood(_ backend: StoreBackend) async throws {
        var settings = StoreSettings()
        settings.maxAttempts = 2
        let fixture = try await StoreFixture.make(backend, settings: settings)
        defer { fixture.discard() }
        let store = fixture.store
        let run = try await store.createRun(Samples.run(), tenant: "acme")
        let first = try await store.registerAgent(Samples.registration("a"))
        let second = try await store.registerAgent(Samples.registration("b"))
        let job = try #require(try await store.lease(agentID: first, maxJobs: 1).first)
        let reply = try await store.complete(
            jobID: job.jobID, agentID: first, leaseID: job.leaseID, result: Samples.result(for: job, verdict: .errored))
        #expect(reply.state == .queued)
        #expect(try await store.lease(agentID: first, maxJobs: 1).isEmpty, "the failing agent waits its turn")
        let retry = try #require(try await store.lease(agentID: second, maxJobs: 1).first)
        #expect(retry.jobID == job.jobID)
        #expect(retry.attempt == 2)
        let final = try await store.complete(
            jobID: retry.jobID, agentID: second, leaseID: retry.leaseID,
            result: Samples.result(for: retry, verdict: .errored))
        #expect(final.state == .errored)
        let status = try await store.runStatus(id: run.id, tenant: "acme")
        #expect(status.jobs.errored == 1)
        let stored = try #require(try await store.runResults(id: run.id, tenant: "acme").results.first?.result)
        #expect(stored.score == nil, "an infrastructure failure is never scored")
    }

    @Test(arguments: StoreBackend.allCases)
    func expiredLeasesRequeueAndHeartbeatsKeepThemAlive(_ backend: StoreBackend) async throws {
        var settings = StoreSettings()
        settings.maxAttempts = 2
        settings.leaseTTLS = 30
        let fixture = try await StoreFixture.make(backend, settings: settings)
        defer { fixture.discard() }
        let store = fixture.store
        let run = try await store.createRun(Samples.run(tasks: 2), tenant: "acme")
        let agent = try await store.registerAgent(Samples.registration())
        let jobs = try await store.lease(agentID: agent, maxJobs: 2)
        #expect(jobs.count == 2)
        fixture.advance(seconds: 20)
        let beat = try await store.heartbeat(
            HeartbeatRequest(
                agentID: agent, leaseIDs: [jobs[0].leaseID, "lease_unknown"], load: AgentLoad(runningJobs: 2, slots: 4))
        )
        #expect(beat.renewed == [jobs[0].leaseID])
        #expect(beat.revoked == ["lease_unknown"])
        fixture.advance(seconds: 20)
        #expect(try await store.expireLeases() == 1, "only the lease without a heartbeat expired")
        var status = try await store.runStatus(id: run.id, tenant: "acme")
        #expect(status.jobs.queued == 1 && status.jobs.leased == 1)
        // A completion under the expired lease is stale.
        await #expect(throws: ControlPlaneError.self) {
            _ = try await store.complete(
                jobID: jobs[1].jobID, agentID: agent, leaseID: jobs[1].leaseID, result: Samples.result(for: jobs[1]))
        }
        // The second lease of that job also expires: attempts used up, errored for good.
        let again = try #require(try await store.lease(agentID: agent, maxJobs: 1).first)
        #expect(again.jobID == jobs[1].jobID)
        fixture.advance(seconds: 31)
        #expect(try await store.expireLeases() == 2)
        status = try await store.runStatus(id: run.id, tenant: "acme")
        #expect(status.jobs.errored == 1 && status.jobs.queued == 1)
    }

    @Test(arguments: StoreBackend.allCases)
    func eventsAreNumberedInOrderAndResumable(_ backend: StoreBackend) async throws {
        let fixture = try await StoreFixture.make(backend)
        defer { fixture.discard() }
        let store = fixture.store
        let run = try await store.createRun(Samples.run(tasks: 2), tenant: "acme")
        let agent = try await store.registerAgent(Samples.registration())
        for job in try await store.lease(agentID: agent, maxJobs: 2) {
            let batch = JobEventBatch(
                leaseID: job.leaseID,
                events: [
                    JobEvent(seq: 1, at: Date(), payload: .jobState(.running)),
                    JobEvent(seq: 2, at: Date(), payload: .test(TestResult(name: "test_add", status: .passed))),
                ])
            #expect(try await store.recordJobEvents(jobID: job.jobID, agentID: agent, batch: batch) == 2)
            #expect(
                try await store.recordJobEvents(jobID: job.jobID, agentID: agent, batch: batch) == 0, "a resent batch")
            _ = try await store.complete(
                jobID: job.jobID, agentID: agent, leaseID: job.leaseID, result: Samples.result(for: job))
        }
        let all = try await store.events(runID: run.id, after: 0)
        #expect(all.map(\.id) == Array(1...all.count))
        #expect(all.first?.type == "run_state")
        #expect(all.last?.type == "run_state")
        #expect(all.filter { $0.type == "test" }.count == 2)
        let resumed = try await store.events(runID: run.id, after: 4)
        #expect(resumed.map(\.id) == Array(5...all.count))
        let decoded = try CrucibleJSON.decode(RunEvent.self, from: Data(all[4].body.utf8))
        #expect(decoded.id == 5)
        #expect(try await store.runFinished(runID: run.id))
    }

    @Test(arguments: StoreBackend.allCases)
    func tenantsSeeOnlyTheirOwnRunsAndJobs(_ backend: StoreBackend) async throws {
        let fixture = try await StoreFixture.make(backend)
        defer { fixture.discard() }
        let store = fixture.store
        let run = try await store.createRun(Samples.run(), tenant: "acme")
        await #expect(throws: ControlPlaneError.self) { _ = try await store.runStatus(id: run.id, tenant: "evil") }
        await #expect(throws: ControlPlaneError.self) { _ = try await store.runResults(id: run.id, tenant: "evil") }
        #expect(try await store.runStatus(id: run.id, tenant: nil).id == run.id, "admins see every tenant")
        let agent = try await store.registerAgent(Samples.registration())
        let job = try #require(try await store.lease(agentID: agent, maxJobs: 1).first)
        let judgement = JudgementRequest(jobID: job.jobID, kind: .staff, score: 90, author: "ann")
        await #expect {
            _ = try await store.addJudgement(judgement, tenant: "acme")
        } throws: { ($0 as? ControlPlaneError)?.code == .conflict }
        _ = try await store.complete(
            jobID: job.jobID, agentID: agent, leaseID: job.leaseID, result: Samples.result(for: job))
        await #expect {
            _ = try await store.addJudgement(judgement, tenant: "evil")
        } throws: { ($0 as? ControlPlaneError)?.code == .notFound }
        _ = try await store.addJudgement(judgement, tenant: "acme")
        let scored = try await store.scoredJobs(Store.JobSelection(tenant: "acme"))
        #expect(scored.count == 1)
        #expect(scored.first?.outcome.judgements.count == 1)
        #expect(try await store.scoredJobs(Store.JobSelection(tenant: "evil")).isEmpty)
    }

    /// Cancelling a run cancels its unfinished jobs, with an event each, and ends it. A finished job keeps its
    /// result and score; the agent holding a cancelled job hears at its heartbeat that the lease is revoked, and
    /// its late completion is refused. Another tenant cannot cancel the run; a second cancel changes nothing.
    @Test(arguments: StoreBackend.allCases)
    func cancellingARunStopsItsUnfinishedJobsOnly(_ backend: StoreBackend) async throws {
        let (fixture, agent, done) = try await Self.oneJobLeased(backend)
        defer { fixture.discard() }
        let store = fixture.store
        let run = try await store.runStatus(id: done.runID, tenant: "acme")
        let held = try #require(try await store.lease(agentID: agent, maxJobs: 1).first)
        _ = try await store.complete(
            jobID: done.jobID, agentID: agent, leaseID: done.leaseID, result: Samples.result(for: done))

        await #expect {
            _ = try await store.cancelRun(id: run.id, tenant: "evil")
        } throws: { ($0 as? ControlPlaneError)?.code == .notFound }
        #expect(try await store.runStatus(id: run.id, tenant: "acme").jobs.cancelled == 0)

        let status = try await store.cancelRun(id: run.id, tenant: "acme")
        #expect(status.state == .cancelled && status.completedAt != nil)
        #expect(status.jobs.completed == 1 && status.jobs.cancelled == 2 && status.jobs.total == 3)
        let beat = try await store.heartbeat(
            HeartbeatRequest(agentID: agent, leaseIDs: [held.leaseID], load: AgentLoad(runningJobs: 1, slots: 4)))
        #expect(beat.revoked == [held.leaseID] && beat.renewed.isEmpty)
        await #expect {
            _ = try await store.complete(
                jobID: held.jobID, agentID: agent, leaseID: held.leaseID, result: Samples.result(for: held))
        } throws: { ($0 as? ControlPlaneError)?.code == .staleLease }
        #expect(try await store.lease(agentID: agent, maxJobs: 4).isEmpty, "no job of the run is leased again")

        let results = try await store.runResults(id: run.id, tenant: "acme").results
        #expect(results.filter { $0.state == .completed }.map(\.jobID) == [done.jobID])
        #expect(results.filter { $0.state == .cancelled }.allSatisfy { $0.result == nil })
        #expect(try await store.scoredJobs(Store.JobSelection(tenant: "acme", runID: run.id)).count == 1)
        let events = try await store.events(runID: run.id, after: 0)
        #expect(events.filter { $0.type == "job_state" && $0.body.contains("\"state\":\"cancelled\"") }.count == 2)
        #expect(events.last?.type == "run_state" && events.last?.body.contains("\"cancelled\"") == true)
        #expect(try await store.runFinished(runID: run.id))

        let again = try await store.cancelRun(id: run.id, tenant: "acme")
        #expect(again.jobs == status.jobs && again.state == .cancelled)
        let after = try await store.events(runID: run.id, after: 0)
        #expect(after.count == events.count, "the second cancel added nothing")
    }

    /// A store with a run of three tasks and an agent holding one of its jobs.
    static func oneJobLeased(
        _ backend: StoreBackend, slots: Int = 4, tasks: Int = 3
    ) async throws -> (StoreFixture, String, LeasedJob) {
        let fixture = try await StoreFixture.make(backend)
        _ = try await fixture.store.createRun(Samples.run(tasks: tasks), tenant: "acme")
        let agent = try await fixture.store.registerAgent(Samples.registration(slots: slots))
        let job = try #require(try await fixture.store.lease(agentID: agent, maxJobs: 1).first)
        return (fixture, agent, job)
    }

    @Test(arguments: StoreBackend.allCases)
    func drainedAgentsTakeNoNewJobs(_ backend: StoreBackend) async throws {
        let (fixture, agent, job) = try await Self.oneJobLeased(backend)
        defer { fixture.discard() }
        let store = fixture.store
        let node = try await store.drainAgent(id: agent)
        #expect(node.state == .draining)
        #expect(try await store.lease(agentID: agent, maxJobs: 5).isEmpty)
        let beat = try await store.heartbeat(
            HeartbeatRequest(agentID: agent, leaseIDs: [job.leaseID], load: AgentLoad(runningJobs: 1, slots: 4)))
        #expect(beat.drain && beat.renewed == [job.leaseID])
        _ = try await store.complete(
            jobID: job.jobID, agentID: agent, leaseID: job.leaseID, result: Samples.result(for: job))
        #expect(try await store.nodes().first?.state == .drained)
    }

    @Test(arguments: StoreBackend.allCases)
    func anAgentThatSaysItIsDrainingTakesNoNewJobs(_ backend: StoreBackend) async throws {
        let (fixture, agent, job) = try await Self.oneJobLeased(backend)
        defer { fixture.discard() }
        let store = fixture.store
        #expect(try await store.agentTakesJobs(id: agent))
        let plain = try await store.heartbeat(
            HeartbeatRequest(agentID: agent, leaseIDs: [job.leaseID], load: AgentLoad(runningJobs: 1, slots: 4)))
        #expect(!plain.drain, "a heartbeat without `draining` changes nothing")
        let beat = try await store.heartbeat(
            HeartbeatRequest(
                agentID: agent, leaseIDs: [job.leaseID], load: AgentLoad(runningJobs: 1, slots: 4), draining: true))
        #expect(beat.drain && beat.renewed == [job.leaseID], "its running job's lease is still renewed")
        #expect(try await !store.agentTakesJobs(id: agent))
        #expect(try await store.lease(agentID: agent, maxJobs: 5).isEmpty)
        #expect(try await store.nodes().first?.state == .draining)
    }

    @Test(arguments: StoreBackend.allCases)
    func aJobWhoseResultIsOnItsWayFreesItsSlot(_ backend: StoreBackend) async throws {
        let (fixture, agent, first) = try await Self.oneJobLeased(backend, slots: 1, tasks: 4)
        defer { fixture.discard() }
        let store = fixture.store
        #expect(try await store.lease(agentID: agent, maxJobs: 1).count == 1, "one job leased ahead of its slot")
        #expect(try await store.lease(agentID: agent, maxJobs: 1).isEmpty, "its slot and its place ahead are taken")
        #expect(
            try await store.lease(agentID: agent, maxJobs: 1, finished: ["lease_of_someone_else"]).isEmpty,
            "a lease it does not hold frees nothing")
        let second = try #require(
            try await store.lease(agentID: agent, maxJobs: 5, finished: [first.leaseID]).first,
            "the finished job's place is free")
        #expect(second.jobID != first.jobID)
        #expect(
            try await store.lease(agentID: agent, maxJobs: 5, finished: [first.leaseID]).isEmpty,
            "never more than it may hold, though a job is still queued")
        // The first job's result still counts when it arrives.
        _ = try await store.complete(
            jobID: first.jobID, agentID: agent, leaseID: first.leaseID, result: Samples.result(for: first))
    }

    @Test(arguments: StoreBackend.allCases)
    func migrationIsIdempotent(_ backend: StoreBackend) async throws {
        let fixture = try await StoreFixture.make(backend)
        defer { fixture.discard() }
        #expect(try await fixture.store.migrate().isEmpty)
    }

    @Test(arguments: StoreBackend.allCases)
    func tokensAreStoredHashedAndResolveToTheirOwner(_ backend: StoreBackend) async throws {
        let fixture = try await StoreFixture.make(backend)
        defer { fixture.discard() }
        let issued = try await fixture.store.createToken(role: .submitter, tenant: "acme", name: "ci")
        #expect(issued.secret.hasPrefix("cru_"))
        let principal = try #require(try await fixture.store.principal(secret: issued.secret))
        #expect(principal.role == .submitter && principal.tenant == "acme")
        #expect(try await fixture.store.principal(secret: issued.secret + "x") == nil)
        let rows = try await fixture.store.database.read { try await $0.query("SELECT hash FROM tokens") }
        #expect(try rows.first?.string("hash") == Store.hash(secret: issued.secret))
        #expect(issued.secret.dropFirst(4).allSatisfy { "0123456789abcdef".contains($0) } && issued.secret.count == 68)
    }

    /// The stored form of a token: lower-case hex SHA-256, as every database written so far holds it.
    @Test func tokenHashesAreLowerCaseHexSHA256() {
        #expect(Store.hash(secret: "abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Store.hex([0x00, 0x0f, 0xa0, 0xff]) == "000fa0ff")
    }
}
