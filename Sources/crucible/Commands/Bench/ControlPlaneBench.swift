import Agent
import ArgumentParser
import ControlPlane
import CrucibleAPI
import Foundation
import Logging
import ServiceLifecycle

/// `crucible controlplane-bench` (hidden; `make bench` runs it): submit → lease → complete throughput with
/// simulated agents over loopback HTTP against a real control plane, and the latency of leases that found
/// work. The simulated agents do no work: what is measured is the control plane and its store.
struct ControlPlaneBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "controlplane-bench", abstract: "Benchmark the control plane (submit, lease, complete).",
        shouldDisplay: false)

    @Option(help: "Jobs in all.")
    var jobs = 5000
    @Option(help: "Runs the jobs are split into (submitted together).")
    var runs = 5
    @Option(help: "Simulated agents.")
    var agents = 8
    @Option(help: "Jobs per lease call.")
    var batch = 16
    @Option(help: "PostgreSQL URL; without it SQLite in a temporary directory.")
    var database: String?
    @Flag(help: "Print one JSON object.")
    var json = false

    struct Report: Codable {
        var store: String
        var jobs: Int
        var agents: Int
        var batch: Int
        var seconds: Double
        var jobsPerSecond: Double
        var leaseP50Ms: Double
        var leaseP99Ms: Double
        var completeP50Ms: Double
        var completeP99Ms: Double
        var duplicates: Int

        enum CodingKeys: String, CodingKey {
            case store, jobs, agents, batch, seconds
            case jobsPerSecond = "jobs_per_second"
            case leaseP50Ms = "lease_p50_ms"
            case leaseP99Ms = "lease_p99_ms"
            case completeP50Ms = "complete_p50_ms"
            case completeP99Ms = "complete_p99_ms"
            case duplicates
        }
    }

    func run() async throws {
        var logger = Logger(label: "crucible.bench")
        logger.logLevel = .error
        let directory = NSTemporaryDirectory() + "crucible-cp-bench-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let location: StoreLocation = database.map { .postgres($0) } ?? .directory(directory)
        let opened = try await ControlPlaneRuntime.openStore(location, logger: logger)
        let store = opened.store
        let port = Appliance.freePort()
        let report = try await ControlPlaneRuntime.withServices(opened.services, logger: logger) {
            try await store.migrate()
            if database != nil {
                try await Self.emptyTables(store)
            }
            let admin = try await store.createToken(role: .admin, tenant: "bench", name: "bench", ratePerS: 0)
            let app = ControlPlaneServer(store: store, logger: logger).application(
                host: "127.0.0.1", port: port, logger: logger)
            let group = ServiceGroup(
                configuration: ServiceGroupConfiguration(services: [.init(service: app)], logger: logger))
            return try await withThrowingTaskGroup(of: Report?.self) { tasks in
                tasks.addTask {
                    try await group.run()
                    return nil
                }
                let report = try await ControlPlaneClient.withHTTPClient { http in
                    try await Appliance.waitUntilReady(url: "http://127.0.0.1:\(port)", http: http)
                    let client = try ControlPlaneClient(
                        baseURL: "http://127.0.0.1:\(port)", token: admin.secret, httpClient: http, logger: logger)
                    return try await measure(client: client, storeName: database == nil ? "sqlite" : "postgres")
                }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return report
            }
        }
        await store.database.close()
        if json {
            print(String(decoding: try CrucibleJSON.encode(report), as: UTF8.self))
        } else {
            print(
                String(
                    format:
                        "%@: %d jobs, %d agents × %d per lease: %.2f s, %.0f jobs/s; lease p50 %.1f ms p99 %.1f ms; complete p50 %.1f ms p99 %.1f ms",
                    report.store, report.jobs, report.agents, report.batch, report.seconds, report.jobsPerSecond,
                    report.leaseP50Ms, report.leaseP99Ms, report.completeP50Ms, report.completeP99Ms))
        }
    }

    private func measure(client: ControlPlaneClient, storeName: String) async throws -> Report {
        let task = TaskSpec(
            id: "bench", language: .python, scenario: .codeGeneration, difficulty: .easy, prompt: "p",
            files: ["solution.py": "x = 1\n"], tests: ["test_solution.py": "def test_x():\n    pass\n"],
            testMode: .framework)
        var registered: [ControlPlaneClient] = []
        var agentIDs: [String] = []
        for index in 0..<agents {
            let reply = try await client.register(
                AgentRegistration(
                    name: "sim-\(index)", slots: 1024, cgroupVersion: .v2, toolchains: [.python], version: "bench"))
            registered.append(client.withToken(reply.token))
            agentIDs.append(reply.agentID)
        }
        let started = ContinuousClock.now
        let perRun = jobs / runs
        for run in 0..<runs {
            let candidates = (0..<perRun).map {
                Candidate(taskID: "bench", model: "m\($0 % 7)", files: ["solution.py": "x = \(run)\n"])
            }
            _ = try await client.createRun(RunSubmission(name: "bench \(run)", tasks: [task], candidates: candidates))
        }
        let total = perRun * runs
        let counter = Counter()
        let results = try await withThrowingTaskGroup(of: ([Double], [Double], [String]).self) { group in
            for (index, agent) in registered.enumerated() {
                let agentID = agentIDs[index]
                let batch = batch
                group.addTask {
                    var leaseTimes: [Double] = []
                    var completeTimes: [Double] = []
                    var seen: [String] = []
                    while counter.value < total {
                        let before = ContinuousClock.now
                        let leased = try await agent.lease(LeaseRequest(agentID: agentID, maxJobs: batch, waitS: 0.2))
                            .jobs
                        if leased.isEmpty {
                            continue
                        }
                        leaseTimes.append((ContinuousClock.now - before).milliseconds)
                        for job in leased {
                            let result = JobResult(
                                taskID: job.task.id, model: job.candidate.model, verdict: .passed,
                                steps: [
                                    StepResult(
                                        name: .test, status: .ok, exitCode: 0, cpuTimeS: 0.01, wallTimeS: 0.01,
                                        peakMemoryBytes: 1000)
                                ], tests: [TestResult(name: "test_x", status: .passed)], testsPassed: 1, testsTotal: 1)
                            let start = ContinuousClock.now
                            _ = try await agent.complete(
                                jobID: job.jobID, CompletionRequest(leaseID: job.leaseID, result: result))
                            completeTimes.append((ContinuousClock.now - start).milliseconds)
                            seen.append(job.jobID)
                            counter.add(1)
                        }
                    }
                    return (leaseTimes, completeTimes, seen)
                }
            }
            var all: ([Double], [Double], [String]) = ([], [], [])
            for try await part in group {
                all.0 += part.0
                all.1 += part.1
                all.2 += part.2
            }
            return all
        }
        let seconds = (ContinuousClock.now - started).seconds
        return Report(
            store: storeName, jobs: total, agents: agents, batch: batch, seconds: seconds,
            jobsPerSecond: Double(total) / seconds, leaseP50Ms: Self.percentile(results.0, 0.5),
            leaseP99Ms: Self.percentile(results.0, 0.99), completeP50Ms: Self.percentile(results.1, 0.5),
            completeP99Ms: Self.percentile(results.1, 0.99), duplicates: results.2.count - Set(results.2).count)
    }

    static func percentile(_ values: [Double], _ fraction: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else {
            return 0
        }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * fraction).rounded()))]
    }

    /// A benchmark database starts empty (earlier runs' jobs would otherwise be leased too).
    static func emptyTables(_ store: Store) async throws {
        try await store.database.transaction { connection in
            try await connection.query(
                "TRUNCATE judgements, events, jobs, run_tasks, runs, tasks, agents, tokens")
        }
    }
}

/// A thread-safe count shared by the simulated agents.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    var value: Int { lock.withLock { count } }

    func add(_ amount: Int) {
        lock.withLock { count += amount }
    }
}

extension Duration {
    var milliseconds: Double { Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15 }
    var seconds: Double { milliseconds / 1000 }
}
