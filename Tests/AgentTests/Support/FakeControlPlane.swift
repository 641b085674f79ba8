import CrucibleAPI
import Foundation
import Synchronization
import Toolchains

@testable import Agent

/// The agent protocol's server side, just enough to drive a `NodeAgent` from a `CannedServer`: queued jobs
/// are leased, heartbeats renew (or revoke, or drain), events and completions are recorded.
final class FakeControlPlane: Sendable {
    struct State {
        var queue: [LeasedJob] = []
        var leased: [String: String] = [:]  // lease -> job
        var completions: [(jobID: String, request: CompletionRequest, authorization: String?)] = []
        var events: [(jobID: String, events: [JobEvent], receivedAt: Date)] = []
        var heartbeats: [HeartbeatRequest] = []
        var leaseRequests: [LeaseRequest] = []
        var registrations: [AgentRegistration] = []
        var revoke: Set<String> = []
        var drain = false
        /// Status codes to answer completions with, first to last; then 200.
        var completeStatuses: [Int] = []
        /// While true, a completion gets no answer.
        var completeHangs = false
        var nextLease = 0
    }

    let state = Mutex(State())
    let heartbeatIntervalS: Double

    init(jobs: [LeasedJob] = [], heartbeatIntervalS: Double = 0.2) {
        self.heartbeatIntervalS = heartbeatIntervalS
        state.withLock { $0.queue = jobs }
    }

    var completions: [(jobID: String, request: CompletionRequest, authorization: String?)] {
        state.withLock { $0.completions }
    }

    func enqueue(_ job: LeasedJob) { state.withLock { $0.queue.append(job) } }

    func handle(_ request: RecordedRequest) async -> Canned {
        switch (request.method, request.path) {
        case ("POST", "/v1/agents/register"):
            guard let body = try? CrucibleJSON.decode(AgentRegistration.self, from: request.body) else {
                return .error(400, code: "invalid_request", message: "bad registration")
            }
            let count = state.withLock { state in
                state.registrations.append(body)
                return state.registrations.count
            }
            return .json(
                201,
                encoding: AgentRegistrationReply(
                    agentID: "agent-\(count)", token: "agent-token-\(count)", heartbeatIntervalS: heartbeatIntervalS,
                    leaseTTLS: 30))
        case ("POST", "/v1/agents/lease"):
            guard let body = try? CrucibleJSON.decode(LeaseRequest.self, from: request.body) else {
                return .error(400, code: "invalid_request", message: "bad lease request")
            }
            state.withLock { $0.leaseRequests.append(body) }
            // A short long-poll: answer as soon as there is a job, else after a little while.
            let deadline = ContinuousClock.now + .milliseconds(Int64(min(body.waitS, 0.3) * 1000))
            while true {
                let jobs = state.withLock { state -> [LeasedJob] in
                    let taken = Array(state.queue.prefix(body.maxJobs))
                    state.queue.removeFirst(taken.count)
                    for job in taken { state.leased[job.leaseID] = job.jobID }
                    return taken
                }
                if !jobs.isEmpty || ContinuousClock.now >= deadline {
                    return .json(encoding: LeaseReply(jobs: jobs))
                }
                try? await Task.sleep(for: .milliseconds(20))
            }
        case ("POST", "/v1/agents/heartbeat"):
            guard let body = try? CrucibleJSON.decode(HeartbeatRequest.self, from: request.body) else {
                return .error(400, code: "invalid_request", message: "bad heartbeat")
            }
            let reply = state.withLock { state -> HeartbeatReply in
                state.heartbeats.append(body)
                let revoked = body.leaseIDs.filter { state.revoke.contains($0) }
                return HeartbeatReply(
                    renewed: body.leaseIDs.filter { !revoked.contains($0) }, revoked: revoked, drain: state.drain,
                    leaseTTLS: 30)
            }
            return .json(encoding: reply)
        case ("POST", let path) where path.hasPrefix("/v1/jobs/") && path.hasSuffix("/events"):
            let jobID = String(path.dropFirst("/v1/jobs/".count).dropLast("/events".count))
            guard let body = try? CrucibleJSON.decode(JobEventBatch.self, from: request.body) else {
                return .error(400, code: "invalid_request", message: "bad events")
            }
            state.withLock { $0.events.append((jobID, body.events, request.receivedAt)) }
            return .json(202, encoding: JobEventsAccepted(accepted: body.events.count))
        case ("POST", let path) where path.hasPrefix("/v1/jobs/") && path.hasSuffix("/complete"):
            let jobID = String(path.dropFirst("/v1/jobs/".count).dropLast("/complete".count))
            guard let body = try? CrucibleJSON.decode(CompletionRequest.self, from: request.body) else {
                return .error(400, code: "invalid_request", message: "bad completion")
            }
            while state.withLock({ $0.completeHangs }) {
                try? await Task.sleep(for: .milliseconds(20))
            }
            let status = state.withLock { state -> Int in
                let status = state.completeStatuses.isEmpty ? 200 : state.completeStatuses.removeFirst()
                if status == 200 { state.completions.append((jobID, body, request.header("authorization"))) }
                return status
            }
            switch status {
            case 200: return .json(encoding: CompletionReply(jobID: jobID, state: .completed))
            case 409: return .error(409, code: "stale_lease", message: "the lease is no longer valid")
            default: return .error(status, code: status >= 500 ? "internal" : "invalid_request", message: "no")
            }
        default:
            return .error(404, code: "not_found", message: "no route \(request.method) \(request.path)")
        }
    }
}

/// A stand-in for the sandbox evaluator: each job takes a set time, reports a step and its tests as it goes,
/// and records which slot it ran in and when, so the agent's scheduling can be checked.
final class ScriptedEvaluator: JobEvaluating {
    struct Run: Sendable {
        var model: String
        var slot: Int
        /// Whether the agent asked for the lint step.
        var quality: Bool
        var started: ContinuousClock.Instant
        var ended: ContinuousClock.Instant
        var cancelled: Bool
    }

    let duration: Duration
    let testCount: Int
    /// Jobs of these models do not finish until `release` fires (or they are cancelled): a test decides when,
    /// instead of racing a clock.
    let held: Set<String>
    let release = OneShot()
    private let runs = Mutex<[Run]>([])
    private let active = Mutex<(now: Int, peak: Int, slots: Set<Int>, clash: Bool)>((0, 0, [], false))

    init(duration: Duration = .milliseconds(100), testCount: Int = 3, held: Set<String> = []) {
        self.duration = duration
        self.testCount = testCount
        self.held = held
    }

    var finishedRuns: [Run] { runs.withLock { $0 } }
    var peakConcurrency: Int { active.withLock { $0.peak } }
    var slotClash: Bool { active.withLock { $0.clash } }

    func evaluate(
        task: TaskSpec, candidateFiles: FileMap, model: String, slot: Int, quality: Bool,
        progress: (@Sendable (EvaluationProgress) -> Void)?
    ) async -> JobResult {
        let started = ContinuousClock.now
        active.withLock { state in
            state.now += 1
            state.peak = max(state.peak, state.now)
            if state.slots.contains(slot) { state.clash = true }
            state.slots.insert(slot)
        }
        defer {
            active.withLock { state in
                state.now -= 1
                state.slots.remove(slot)
            }
        }
        let passes = candidateFiles == task.reference || model != "wrong"
        var tests: [TestResult] = []
        var cancelled = false
        let build = StepResult(
            name: .build, status: .ok, exitCode: 0, cpuTimeS: 0.01, wallTimeS: 0.01, peakMemoryBytes: 1)
        progress?(.step(build))
        for index in 0..<testCount {
            do {
                try await Task.sleep(for: duration / testCount)
            } catch {
                cancelled = true
                break
            }
            let test = TestResult(name: "test_\(index)", status: passes || index > 0 ? .passed : .failed)
            tests.append(test)
            progress?(.test(test))
        }
        if !cancelled, held.contains(model) {
            await release.wait()
            cancelled = Task.isCancelled
        }
        let testStep = StepResult(
            name: .test, status: passes ? .ok : .exited, exitCode: passes ? 0 : 1,
            cpuTimeS: model == "reference" ? 0.25 : 0.5,
            wallTimeS: duration.seconds, peakMemoryBytes: 1)
        progress?(.step(testStep))
        runs.withLock {
            $0.append(
                Run(model: model, slot: slot, quality: quality, started: started, ended: .now, cancelled: cancelled))
        }
        if cancelled {
            return JobResult(taskID: task.id, model: model, verdict: .errored, error: "cancelled")
        }
        return JobResult(
            taskID: task.id, model: model, verdict: passes ? .passed : .failed, steps: [build, testStep], tests: tests,
            testsPassed: tests.filter { $0.status == .passed }.count, testsTotal: tests.count)
    }
}

enum Jobs {
    static let task = TaskSpec(
        id: "py-sample", language: .python, difficulty: .easy, prompt: "p", files: ["solution.py": "..."],
        tests: ["test_solution.py": "..."], reference: ["solution.py": "good"])
    /// Another task, so its reference is measured apart from `task`'s.
    static let otherTask = TaskSpec(
        id: "py-other", language: .python, difficulty: .easy, prompt: "p", files: ["solution.py": "..."],
        tests: ["test_solution.py": "..."], reference: ["solution.py": "good"])

    static func job(
        _ number: Int, model: String = "m1", files: FileMap = ["solution.py": "mine"], task: TaskSpec = task
    )
        -> LeasedJob
    {
        LeasedJob(
            leaseID: "lease-\(number)", jobID: "job-\(number)", runID: "run-1", attempt: 1, task: task,
            candidate: Candidate(taskID: task.id, model: model, files: files))
    }

    static let inventory = NodeInventory(cores: 2, memoryBytes: 4 << 30, cgroupVersion: .v1, toolchains: [.python])
}
