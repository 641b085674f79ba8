import ControlPlane
import CrucibleAPI
import Foundation
import Logging
import NIOHTTP1
import Sandbox
import Synchronization
import Testing
import Toolchains

@testable import Agent

/// The real control plane (SQLite in a temporary directory, Hummingbird on 127.0.0.1, a kernel-chosen port)
/// and node agents, all in this process, talking HTTP over loopback (or, as `crucible up`'s agent does, calling
/// the control plane's `InProcessAPI`).
@Suite("End to end: control plane and node agents on loopback", .serialized)
struct EndToEndTests {
    struct ControlPlaneHandle: Sendable {
        var url: String
        var store: Store
        var adminToken: String
        var server: ControlPlaneServer

        /// `client` as `crucible up`'s agent has it: its requests answered in this process, not over HTTP, and its
        /// agent-protocol calls as values.
        func inProcess(_ client: ControlPlaneClient) throws -> ControlPlaneClient {
            let api = InProcessAPI(server: server, logger: testLogger("in-process"))
            return try ControlPlaneClient(
                baseURL: url, token: client.token, httpClient: client.http,
                transport: InProcessTransport(
                    { request in
                        let reply = try await api.respond(
                            method: request.method.rawValue, target: request.target,
                            headers: request.headers.map { (name: $0.name, value: $0.value) }, body: request.body)
                        return ControlPlaneReply(
                            status: reply.status, headers: HTTPHeaders(reply.headers), body: reply.body)
                    }, calls: { call, token in try await api.answer(call, token: token) }),
                configuration: client.configuration, logger: testLogger("agent"))
        }
    }

    static func withControlPlane<T: Sendable>(
        settings: StoreSettings = StoreSettings(), rules: (any SubmissionRules)? = nil,
        _ body: @Sendable (ControlPlaneHandle) async throws -> T
    ) async throws -> T {
        try await withTemporaryDirectory { directory in
            let logger = testLogger("controlplane")
            let (store, _) = try await ControlPlaneRuntime.openStore(
                .directory(directory), settings: settings, logger: logger)
            try await store.migrate()
            let admin = try await store.createToken(role: .admin, tenant: "default", name: "admin")
            let server = ControlPlaneServer(store: store, logger: logger, rules: rules)
            let (ports, portInput) = AsyncStream.makeStream(of: Int.self)
            let app = server.application(
                host: "127.0.0.1", port: 0, logger: logger, onServerRunning: { portInput.yield($0) })
            let secret = admin.secret
            let result = try await withGracefullyStopped(app, logger: logger) {
                var iterator = ports.makeAsyncIterator()
                let port = await iterator.next() ?? 0
                return try await body(
                    ControlPlaneHandle(
                        url: "http://127.0.0.1:\(port)", store: store, adminToken: secret, server: server))
            }
            await store.database.close()
            return result
        }
    }

    /// A client with the control plane's admin token (also accepted as a registration token).
    static func client<T: Sendable>(
        _ controlPlane: ControlPlaneHandle, _ body: @Sendable (ControlPlaneClient) async throws -> T
    ) async throws -> T {
        try await withClient(
            controlPlane.url, token: controlPlane.adminToken,
            configuration: .init(
                retry: RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(50), maxDelay: .seconds(1)),
                requestTimeout: .seconds(10)),
            body)
    }

    @Test(.timeLimit(.minutes(3)), arguments: [false, true])
    func sampleTasksAreJudgedByARealAgentEachJobOnce(inProcess: Bool) async throws {
        let bank = try TaskBank.locate()
        let tasks = try ["python/py-fizzbuzz-easy", "javascript/js-escape-html-easy"].map {
            try TaskFiles.readTask(bank.directory + "/" + $0 + ".json")
        }
        var candidates: [Candidate] = []
        var expected: [String: Verdict] = [:]
        for task in tasks {
            for model in ["reference", "off-by-one"] {
                let file = try #require(
                    bank.candidateFile(model: model, language: task.language.rawValue, taskID: task.id))
                candidates.append(try TaskFiles.readCandidate(file))
                expected[task.id + "/" + model] = model == "reference" ? .passed : .failed
            }
        }
        let submission = RunSubmission(name: "agent-e2e", tasks: tasks, candidates: candidates)
        let verdicts = expected
        let catalog = try ToolchainCatalog.locate()
        let runner = try SandboxRunner(logger: testLogger())
        let evaluator = Evaluator(
            runner: runner, catalog: catalog, policy: try PolicyLoader.defaultPolicy(), logger: testLogger())
        let inventory = NodeInventory.detect(runner: runner, catalog: catalog)
        #expect(inventory.toolchains.contains(.python) && inventory.toolchains.contains(.javascript))

        try await withTemporaryDirectory { spool in
            try await Self.withControlPlane { controlPlane in
                try await Self.client(controlPlane) { client in
                    let run = try await client.createRun(submission)
                    #expect(run.jobs == 4)
                    let agent = try NodeAgent(
                        configuration: NodeAgentConfiguration(
                            name: "e2e-node", slots: 2, inventory: inventory, spoolDirectory: spool,
                            slotBase: AgentSlots.take(2), leaseWait: .seconds(1)),
                        client: inProcess ? try controlPlane.inProcess(client) : client, evaluator: evaluator,
                        logger: testLogger("agent"))
                    let finals = try await withThrowingTaskGroup(of: [String: Int]?.self) { group in
                        group.addTask {
                            try await agent.run()
                            return nil
                        }
                        // Watch the run as a submitter would, until the stream ends with the run.
                        var finals: [String: Int] = [:]
                        for try await event in client.streamRunEvents(runID: run.id) {
                            if case .jobState(let change) = event.payload, change.state.isFinal, let job = event.jobID {
                                finals[job, default: 0] += 1
                            }
                        }
                        agent.drain()
                        try await group.waitForAll()
                        return finals
                    }

                    let status = try await client.getRun(id: run.id)
                    #expect(status.state == .completed)
                    #expect(status.jobs.completed == 4)
                    let results = try await client.getRunResults(id: run.id).results
                    #expect(results.count == 4)
                    for entry in results {
                        let key = entry.taskID + "/" + entry.model
                        #expect(entry.state == .completed, "\(key)")
                        #expect(entry.result?.verdict == verdicts[key], "\(key): \(entry.result?.error ?? "")")
                        #expect(finals[entry.jobID] == 1, "\(key): one final state, so one result")
                        #expect(entry.result?.steps.isEmpty == false)
                        if entry.model == "reference" {
                            // The node sent the reference time, so the efficiency part could be scored.
                            #expect(
                                entry.result?.score?.efficiency != nil,
                                "\(key): \(String(describing: entry.result?.score))")
                        }
                    }
                    let nodes = try await client.listNodes().nodes
                    #expect(nodes.count == 1)
                    #expect(nodes.first?.labels["crucible.toolchains"]?.contains("python") == true)
                }
            }
            #expect(try CompletionSpool(directory: spool).depth == 0)
        }
    }

    /// A submitter cancels a run while its job's test runs in a sandbox: the agent hears at its heartbeat that
    /// the lease is revoked, kills the step, and its one slot takes the next run's job at once instead of when
    /// the test's limits end it (30 s). The cancelled job gets no result.
    @Test(.timeLimit(.minutes(2)))
    func cancellingARunKillsItsRunningStepAndFreesTheSlot() async throws {
        var settings = StoreSettings()
        settings.heartbeatIntervalS = 0.3
        let token = "started-\(UUID().uuidString)"
        let sleeper = TaskSpec(
            id: "py-sleeps", language: .python, difficulty: .easy, prompt: "p", files: ["solution.py": "x = 1\n"],
            tests: ["test_solution.py": "import time\nopen('/work/\(token)', 'w').close()\ntime.sleep(50)\n"],
            testMode: .program, reference: ["solution.py": "x = 1\n"])
        let quick = TaskSpec(
            id: "py-quick", language: .python, difficulty: .easy, prompt: "p", files: ["solution.py": "x = 1\n"],
            tests: ["test_solution.py": "from solution import x\nassert x == 1\n"], testMode: .program,
            reference: ["solution.py": "x = 1\n"])
        let (sleeping, next) = (Self.oneJob(sleeper), Self.oneJob(quick))
        let runner = try SandboxRunner(logger: testLogger())
        let catalog = try ToolchainCatalog.locate()
        let evaluator = Evaluator(
            runner: runner, catalog: catalog, policy: try PolicyLoader.defaultPolicy(), logger: testLogger())
        let inventory = NodeInventory.detect(runner: runner, catalog: catalog)

        try await withTemporaryDirectory { spool in
            try await Self.withControlPlane(settings: settings) { controlPlane in
                try await Self.client(controlPlane) { client in
                    let agent = try NodeAgent(
                        configuration: NodeAgentConfiguration(
                            name: "cancel-node", slots: 1, inventory: inventory, spoolDirectory: spool,
                            slotBase: AgentSlots.take(), leaseWait: .milliseconds(500), measureReferenceTimes: false),
                        client: client, evaluator: evaluator, logger: testLogger("agent"))
                    let (first, second) = try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask { try await agent.run() }
                        let first = try await client.createRun(sleeping)
                        // The test program is running in its sandbox once its mark is in a workspace.
                        let work = runner.runtimeDirectory + "/work"
                        var started = false
                        for _ in 0..<3000 where !started {
                            started =
                                ((try? FileManager.default.contentsOfDirectory(atPath: work)) ?? []).contains {
                                    FileManager.default.fileExists(atPath: work + "/" + $0 + "/" + token)
                                }
                            if !started { try await Task.sleep(for: .milliseconds(10)) }
                        }
                        try #require(started, "the sleeping test did not start within 30 s")
                        let second = try await client.createRun(next)
                        let cancelled = ContinuousClock.now
                        let status = try await client.cancelRun(id: first.id)
                        #expect(status.state == .cancelled && status.jobs.cancelled == 1)
                        var done = false
                        for _ in 0..<600 where !done {
                            done = try await client.getRun(id: second.id).state == .completed
                            if !done { try await Task.sleep(for: .milliseconds(50)) }
                        }
                        // Not a speed check: with the step left running, the one slot is busy until its 30 s limit.
                        let waited = ContinuousClock.now - cancelled
                        #expect(done && waited < .seconds(20), "the next run's job ran at once")
                        #expect(agent.runningLeases.isEmpty)
                        agent.drain()
                        try await group.waitForAll()
                        return (first, second)
                    }
                    let cancelledJobs = try await client.getRunResults(id: first.id).results
                    #expect(cancelledJobs.map(\.state) == [.cancelled])
                    #expect(cancelledJobs.first?.result == nil, "a cancelled job gets no result")
                    #expect(try await client.getRunResults(id: second.id).results.first?.result?.verdict == .passed)
                }
            }
            #expect(try CompletionSpool(directory: spool).depth == 0)
        }
    }

    /// A run of one task with one candidate, whose solution is `x = 1`.
    static func oneJob(_ task: TaskSpec) -> RunSubmission {
        RunSubmission(
            name: task.id, tasks: [task],
            candidates: [Candidate(taskID: task.id, model: "m1", files: ["solution.py": "x = 1\n"])])
    }

    /// What the toolchains refuse is bad input when it arrives (400, naming the field), not a job that errors
    /// three times on the agents; and a refused request stores nothing.
    @Test(.timeLimit(.minutes(2)))
    func aRunOrTaskTheToolchainsRefuseIsBadInputAndStoresNothing() async throws {
        let catalog = try ToolchainCatalog.locate()
        try await Self.withControlPlane(rules: catalog) { controlPlane in
            try await Self.client(controlPlane) { client in
                let task = TaskSpec(
                    id: "py-ok", language: .python, difficulty: .easy, prompt: "p",
                    tests: ["test_solution.py": "def test_x():\n    pass\n"], reference: ["solution.py": "x = 1\n"])
                func refusal(_ submission: RunSubmission) async -> AgentError? {
                    do {
                        _ = try await client.createRun(submission)
                        return nil
                    } catch {
                        return error
                    }
                }
                let good = ["solution.py": "x = 1\n"]
                var cases: [(RunSubmission, ErrorCode, String)] = []
                // A file pytest would load on its own, rewriting how the tests report.
                cases.append(
                    (
                        RunSubmission(
                            name: "r", tasks: [task],
                            candidates: [
                                Candidate(taskID: task.id, model: "m", files: good),
                                Candidate(
                                    taskID: task.id, model: "m",
                                    files: good.merging(["conftest.py": "x = 1\n"]) { $1 }),
                            ]),
                        .invalidCandidate, #"candidates[1].files["conftest.py"]"#
                    ))
                cases.append(
                    (
                        RunSubmission(
                            name: "r", tasks: [task],
                            candidates: [Candidate(taskID: task.id, model: "m", files: ["notes.txt": "x"])]),
                        .invalidCandidate, #"candidates[0].files["notes.txt"]"#
                    ))
                var untested = task
                untested.tests = ["tests.py": "def test_x():\n    pass\n"]
                cases.append(
                    (
                        RunSubmission(
                            name: "r", tasks: [untested],
                            candidates: [Candidate(taskID: task.id, model: "m", files: good)]
                        ),
                        .invalidTask, "tasks[0].tests"
                    ))
                var noMode = TaskSpec(
                    id: "cs-framework", language: .csharp, difficulty: .easy, prompt: "p",
                    tests: ["Tests.cs": "class Tests {}"], testMode: .framework)
                noMode.reference = nil
                cases.append(
                    (
                        RunSubmission(
                            name: "r", tasks: [noMode],
                            candidates: [Candidate(taskID: noMode.id, model: "m", files: ["Solution.cs": ""])]),
                        .invalidTask, "tasks[0].test_mode"
                    ))
                for (submission, code, field) in cases {
                    let error = await refusal(submission)
                    #expect(error?.status == 400, "\(field): \(String(describing: error))")
                    #expect(error?.code == code)
                    #expect(error?.field == field)
                }
                // The same refusal for the task bank, a bare task named from the body's root.
                var reserved = task
                reserved.id = "py-reserved"
                reserved.files = ["pytest.ini": "[pytest]\n"]
                for (upload, field) in [
                    (TaskUpload(tasks: [reserved]), #"tasks[0].files["pytest.ini"]"#),
                    (TaskUpload(task: reserved), #"files["pytest.ini"]"#),
                ] {
                    let error = await #expect(throws: AgentError.self) {
                        _ = try await client.createTasks(upload)
                    }
                    #expect(error?.status == 400)
                    #expect(error?.field == field)
                }
                #expect(try await client.listTasks().tasks.isEmpty, "a refused upload stores nothing")
                // A task stored without the check (before it existed) is checked when a run names it.
                _ = try await controlPlane.store.putTasks([reserved], tenant: "default")
                let fromBank = await refusal(
                    RunSubmission(
                        name: "r", taskIDs: [reserved.id],
                        candidates: [Candidate(taskID: reserved.id, model: "m", files: good)]))
                #expect(fromBank?.status == 400)
                #expect(fromBank?.field == #"task_ids[0].files["pytest.ini"]"#)
                #expect(try await controlPlane.store.runIDs(tenant: nil).isEmpty, "a refused run stores nothing")

                // The good candidate alone is accepted.
                let created = try await client.createRun(
                    RunSubmission(
                        name: "r", tasks: [task], candidates: [Candidate(taskID: task.id, model: "m", files: good)]))
                #expect(created.jobs == 1)
            }
        }
    }

    /// An agent told to stop while its lease request waits on the control plane: the control plane hears of
    /// the drain and answers that request at once, so a run submitted afterwards is not leased to an agent that
    /// will never run it (its job would sit out the lease before running anywhere).
    @Test(.timeLimit(.minutes(2)))
    func aDrainingAgentsWaitingLeaseEndsAndNoJobGoesToIt() async throws {
        let inventory = NodeInventory(cores: 2, memoryBytes: 1 << 30, cgroupVersion: .v1, toolchains: [.python])
        try await withTemporaryDirectory { spool in
            try await Self.withControlPlane { controlPlane in
                try await Self.client(controlPlane) { client in
                    let agent = try NodeAgent(
                        configuration: NodeAgentConfiguration(
                            name: "stopping", slots: 1, inventory: inventory, spoolDirectory: spool, slotBase: 0,
                            leaseWait: .seconds(60), measureReferenceTimes: false),
                        client: client, evaluator: ScriptedEvaluator(duration: .milliseconds(10)),
                        logger: testLogger("stopping"))
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask { try await agent.run() }
                        #expect(await eventually { agent.agentID != nil })
                        try await Task.sleep(for: .milliseconds(500))  // its lease request is waiting now
                        agent.drain()
                        try await group.waitForAll()
                    }
                    let node = try #require(try await controlPlane.store.nodes().first { $0.id == agent.agentID })
                    #expect(node.state != .active, "the control plane knows the agent is draining")

                    let task = TaskSpec(
                        id: "py-after", language: .python, difficulty: .easy, prompt: "p",
                        files: ["solution.py": "x = 1\n"], tests: ["test_solution.py": "def test_x():\n    pass\n"],
                        reference: ["solution.py": "x = 1\n"])
                    let run = try await client.createRun(
                        RunSubmission(
                            name: "after the drain", tasks: [task],
                            candidates: [Candidate(taskID: task.id, model: "m1", files: ["solution.py": "x = 1\n"])]))
                    try await Task.sleep(for: .milliseconds(800))  // a waiting lease would have taken it by now
                    let results = try await client.getRunResults(id: run.id).results
                    #expect(results.map(\.state) == [.queued], "the job waits for a live agent")
                }
            }
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func aJobLeftByAStoppedAgentIsLeasedAgainAndCompletedOnce() async throws {
        var settings = StoreSettings()
        settings.leaseTTLS = 1.5
        settings.heartbeatIntervalS = 0.3
        let task = TaskSpec(
            id: "py-slow", language: .python, difficulty: .easy, prompt: "p", files: ["solution.py": "x = 1\n"],
            tests: ["test_solution.py": "def test_x():\n    pass\n"], reference: ["solution.py": "x = 1\n"])
        let submission = RunSubmission(
            name: "re-lease", tasks: [task],
            candidates: [Candidate(taskID: task.id, model: "m1", files: ["solution.py": "x = 2\n"])])
        let inventory = NodeInventory(cores: 2, memoryBytes: 1 << 30, cgroupVersion: .v1, toolchains: [.python])

        try await withTemporaryDirectory { spool in
            try await Self.withControlPlane(settings: settings) { controlPlane in
                try await Self.client(controlPlane) { client in
                    let run = try await client.createRun(submission)
                    func agent(_ name: String, _ evaluator: ScriptedEvaluator) throws -> NodeAgent {
                        try NodeAgent(
                            configuration: NodeAgentConfiguration(
                                name: name, slots: 1, inventory: inventory, spoolDirectory: spool + "/" + name,
                                slotBase: 0, leaseWait: .milliseconds(500), measureReferenceTimes: false),
                            client: client, evaluator: evaluator, logger: testLogger(name))
                    }

                    // The first agent takes the job and is stopped in the middle of it.
                    let slow = ScriptedEvaluator(duration: .seconds(60))
                    let first = try agent("first", slow)
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask { try await first.run() }
                        #expect(await eventually { !first.runningLeases.isEmpty })
                        group.cancelAll()
                        try await group.waitForAll()
                    }
                    #expect(slow.finishedRuns.count == 1 && slow.finishedRuns.allSatisfy(\.cancelled))
                    let stranded = try await client.getRunResults(id: run.id).results
                    #expect(stranded.first?.state == .leased || stranded.first?.state == .running)

                    // The lease expires; a second agent gets the job and completes it.
                    let quick = ScriptedEvaluator(duration: .milliseconds(100))
                    let second = try agent("second", quick)
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask { try await second.run() }
                        var done = false
                        for _ in 0..<200 where !done {
                            done = try await client.getRun(id: run.id).state == .completed
                            if !done { try await Task.sleep(for: .milliseconds(100)) }
                        }
                        second.drain()
                        try await group.waitForAll()
                    }
                    let results = try await client.getRunResults(id: run.id).results
                    #expect(results.count == 1)
                    #expect(results.first?.state == .completed)
                    #expect(results.first?.result?.verdict == .passed)
                    #expect(quick.finishedRuns.count == 1, "run once more, by the second agent")
                    #expect(
                        try CompletionSpool(directory: spool + "/first").depth == 0, "the stopped agent sent nothing")
                }
            }
        }
    }
}
