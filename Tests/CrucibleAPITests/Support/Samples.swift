import Foundation

@testable import CrucibleAPI

/// Values of every wire type, with every optional field set (`full`) or left out (`minimal`), for the checks
/// against openapi.yaml.
enum Samples {
    static let date = Date(timeIntervalSince1970: 1_738_324_800)  // 2025-01-31T12:00:00Z

    static let task = TaskSpec(
        id: "py-fizzbuzz-easy", language: .python, scenario: .codeGeneration, difficulty: .easy,
        prompt: "Write fizzbuzz(n)", files: ["solution.py": "def fizzbuzz(n):\n    ...\n"],
        tests: ["test_solution.py": "from solution import fizzbuzz\n"], testMode: .framework, ioCases: [],
        reference: ["solution.py": "..."],
        limits: TaskLimits(
            cpuTimeS: 5, wallTimeS: 10, memoryBytes: 256 << 20, pids: 64, fileSizeBytes: 1 << 20, outputBytes: 1 << 20))

    static let ioTask = TaskSpec(
        id: "go-echo", language: .go, difficulty: .medium, prompt: "Echo stdin", testMode: .io,
        ioCases: [IOCase(stdin: "a\n", expectedStdout: "a\n", weight: 2)])

    static let candidate = Candidate(
        taskID: "py-fizzbuzz-easy", model: "m1", files: ["solution.py": "def fizzbuzz(n): return n\n"],
        metadata: CandidateMetadata(latencyMS: 1200, costUSD: 0.002, inputTokens: 300, outputTokens: 120))

    static let step = StepResult(
        name: .test, status: .signaled, exitCode: nil, cpuTimeS: 0.4, wallTimeS: 0.5, peakMemoryBytes: 30_000_000,
        stdout: "out", stderr: "err", signal: 11, limitsHit: [.pids], stdoutTruncated: false, stderrTruncated: true)

    static let test = TestResult(name: "test_fizz", status: .failed, durationS: 0.001, message: "assert 1 == 2")

    static let finding = Finding(
        tool: "ruff", rule: "F401", severity: .warning, path: "solution.py", line: 3, message: "unused import")

    static let score = JobScore(correctness: 80, quality: 95, efficiency: 70, speed: 60, automated: 77.5)

    static let result = JobResult(
        taskID: "py-fizzbuzz-easy", model: "m1", verdict: .failed, error: nil, steps: [step], tests: [test],
        testsPassed: 4, testsTotal: 5, findings: [finding],
        usage: ResourceUsage(cpuTimeS: 0.9, wallTimeS: 1.1, peakMemoryBytes: 30_000_000), score: score)

    static let node = NodeInfo(
        id: "agent-1", name: "node-1", state: .active, labels: ["zone": "a"], slots: 4, runningJobs: 1,
        loadAverage: 0.5, cgroupVersion: .v1, toolchains: [.python, .go], version: "0.1.0", registeredAt: date,
        lastHeartbeatAt: date)

    static let leasedJob = LeasedJob(
        leaseID: "l-1", jobID: "j-1", runID: "r-1", attempt: 1, task: task, candidate: candidate,
        weights: ["correctness": 1, "quality": 0])

    /// Swift value → openapi schema name, fully populated.
    static let full: [(schema: String, value: any Encodable & Sendable)] = [
        ("ErrorEnvelope", ErrorEnvelope(code: .invalidTask, message: "bad", field: "tasks[0].id")),
        ("APIErrorBody", APIErrorBody(code: .invalidTask, message: "bad", field: "tasks[0].id")),
        ("Task", task),
        ("IOCase", IOCase(stdin: "1", expectedStdout: "2", weight: 1)),
        ("TaskLimits", task.limits),
        ("TaskUploadReply", TaskUploadReply(ids: ["a"])),
        ("TaskList", TaskList(tasks: [task])),
        ("Candidate", candidate),
        ("CandidateMetadata", candidate.metadata),
        (
            "RunSubmission",
            RunSubmission(
                name: "nightly", tasks: [task], taskIDs: ["bank-1"], candidates: [candidate],
                weights: ["correctness": 1], priority: 2)
        ),
        ("RunCreated", RunCreated(id: "r-1", jobs: 3)),
        (
            "PreferencePair",
            PreferencePairEntry(
                taskID: "t", prompt: "p", chosen: "a", rejected: "b", chosenJobID: "j-1", rejectedJobID: "j-2",
                chosenScore: 90, rejectedScore: 40)
        ),
        (
            "PreferencePairList",
            PreferencePairList(pairs: [
                PreferencePairEntry(
                    taskID: "t", prompt: "p", chosen: "a", rejected: "b", chosenJobID: "j-1", rejectedJobID: "j-2",
                    chosenScore: 90, rejectedScore: 40)
            ])
        ),
        (
            "RunStatus",
            RunStatus(
                id: "r-1", name: "nightly", state: .completed, jobs: JobStateCounts(completed: 3), createdAt: date,
                completedAt: date)
        ),
        ("JobStateCounts", JobStateCounts(queued: 1)),
        ("JobResult", result),
        ("StepResult", step),
        ("TestResult", test),
        ("Finding", finding),
        ("ResourceUsage", result.usage),
        ("JobScore", score),
        ("RunResultEntry", RunResultEntry(jobID: "j-1", state: .completed, result: result)),
        ("RunResults", RunResults(results: [RunResultEntry(jobID: "j-1", state: .completed, result: result)])),
        ("JudgementRequest", JudgementRequest(jobID: "j-1", kind: .staff, score: 90, author: "ana", comment: "ok")),
        (
            "Judgement",
            Judgement(id: "jd-1", jobID: "j-1", kind: .user, score: 50, author: "bo", comment: nil, createdAt: date)
        ),
        (
            "LeaderboardEntry",
            LeaderboardEntry(
                rank: 1, model: "m1", score: 81.2, ciLow: 78, ciHigh: 84, passRate: 0.8, passAt1: 0.75, jobs: 40,
                meanLatencyMS: 950, totalCostUSD: 0.12)
        ),
        ("Leaderboard", Leaderboard(entries: [])),
        ("NodeInfo", node),
        ("NodeList", NodeList(nodes: [node])),
        (
            "AgentRegistration",
            AgentRegistration(
                name: "node-1", slots: 4, labels: ["zone": "a"], cgroupVersion: .v2, toolchains: [.rust],
                version: "0.1.0")
        ),
        (
            "AgentRegistrationReply",
            AgentRegistrationReply(agentID: "agent-1", token: "secret", heartbeatIntervalS: 10, leaseTTLS: 60)
        ),
        (
            "LeaseRequest",
            LeaseRequest(agentID: "agent-1", maxJobs: 2, waitS: 30, labels: ["zone": "a"], finished: ["l-0"])
        ),
        ("LeaseReply", LeaseReply(jobs: [leasedJob])),
        ("LeasedJob", leasedJob),
        (
            "HeartbeatRequest",
            HeartbeatRequest(
                agentID: "agent-1", leaseIDs: ["l-1"], load: AgentLoad(runningJobs: 1, slots: 4, loadAverage: 0.3),
                draining: true)
        ),
        ("AgentLoad", AgentLoad(runningJobs: 1, slots: 4, loadAverage: 0.3)),
        ("HeartbeatReply", HeartbeatReply(renewed: ["l-1"], revoked: [], drain: false, leaseTTLS: 60)),
        (
            "JobEventBatch",
            JobEventBatch(leaseID: "l-1", events: [JobEvent(seq: 1, at: date, payload: .jobState(.running))])
        ),
        ("JobStateJobEvent", JobEvent(seq: 1, at: date, payload: .jobState(.running))),
        ("StepJobEvent", JobEvent(seq: 2, at: date, payload: .step(step))),
        ("TestJobEvent", JobEvent(seq: 3, at: date, payload: .test(test))),
        ("JobEventsAccepted", JobEventsAccepted(accepted: 2)),
        ("CompletionRequest", CompletionRequest(leaseID: "l-1", result: result, referenceCPUTimeS: 0.25)),
        ("CompletionReply", CompletionReply(jobID: "j-1", state: .completed)),
        (
            "JobStateEvent",
            RunEvent(
                id: 1, runID: "r-1", jobID: "j-1", at: date,
                payload: .jobState(JobStateChange(state: .completed, taskID: "t", model: "m1", verdict: .passed)))
        ),
        ("StepEvent", RunEvent(id: 2, runID: "r-1", jobID: "j-1", at: date, payload: .step(step))),
        ("TestEvent", RunEvent(id: 3, runID: "r-1", jobID: "j-1", at: date, payload: .test(test))),
        ("ScoreEvent", RunEvent(id: 4, runID: "r-1", jobID: "j-1", at: date, payload: .score(score))),
        ("RunStateEvent", RunEvent(id: 5, runID: "r-1", jobID: nil, at: date, payload: .runState(.completed))),
        ("HealthReply", HealthReply(status: .ok, checks: ["store": "ok"])),
    ]

    /// Values with every optional left out, where that changes the keys.
    static let minimal: [(schema: String, value: any Encodable & Sendable)] = [
        ("Task", ioTask),
        ("TaskLimits", TaskLimits()),
        ("Candidate", Candidate(taskID: "t", model: "m", files: [:])),
        ("RunSubmission", RunSubmission(name: "n", taskIDs: ["t"], candidates: [candidate])),
        (
            "RunStatus",
            RunStatus(id: "r", name: "n", state: .queued, jobs: JobStateCounts(queued: 1), createdAt: date)
        ),
        ("JobResult", JobResult(taskID: "t", model: "m", verdict: .errored, error: "node lost")),
        (
            "StepResult",
            StepResult(name: .build, status: .ok, exitCode: 0, cpuTimeS: 0, wallTimeS: 0, peakMemoryBytes: 0)
        ),
        ("TestResult", TestResult(name: "t", status: .passed)),
        ("Finding", Finding(tool: "vet", rule: "x", severity: .info, message: "m")),
        ("RunResultEntry", RunResultEntry(jobID: "j", state: .queued, taskID: "t", model: "m")),
        ("JudgementRequest", JudgementRequest(jobID: "j", kind: .selfReview, score: 0)),
        (
            "LeaderboardEntry",
            LeaderboardEntry(rank: 1, model: "m", score: 0, ciLow: 0, ciHigh: 0, passRate: 0, passAt1: 0, jobs: 0)
        ),
        (
            "NodeInfo",
            NodeInfo(
                id: "a", name: "n", state: .offline, slots: 1, runningJobs: 0, cgroupVersion: .v2, toolchains: [],
                version: "v", registeredAt: date)
        ),
        ("AgentLoad", AgentLoad(runningJobs: 0, slots: 1)),
        ("CompletionRequest", CompletionRequest(leaseID: "l-1", result: result)),
        ("HealthReply", HealthReply.ok),
    ]
}
