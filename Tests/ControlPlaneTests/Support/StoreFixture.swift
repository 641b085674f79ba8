import ControlPlane
import CrucibleAPI
import Foundation
import Logging
import Testing

/// The stores the contract suite runs on: SQLite always; PostgreSQL when the test run was given a server
/// (`make test` starts one, see scripts/start-postgres.sh).
enum StoreBackend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite
    case postgres

    var testDescription: String { rawValue }
}

/// A fresh, migrated store on its own database, removed when the test is done.
final class StoreFixture: Sendable {
    let store: Store
    let directory: String
    private let clock = TestClock()
    /// PostgreSQL: the database made for this fixture, dropped on close, and its URL.
    private let postgresDatabase: String?
    let postgresURL: String?
    private let pool: Task<Void, Never>?

    static func make(_ backend: StoreBackend = .sqlite, settings: StoreSettings = StoreSettings()) async throws
        -> StoreFixture
    {
        try await StoreFixture(backend: backend, settings: settings)
    }

    private init(backend: StoreBackend, settings: StoreSettings) async throws {
        directory =
            FileManager.default.temporaryDirectory.appendingPathComponent(
                "crucible-store-\(UUID().uuidString.prefix(8))"
            ).path
        var logger = Logger(label: "test.store")
        logger.logLevel = .warning
        let database: any SQLDatabase
        switch backend {
        case .sqlite:
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            database = try SQLiteDatabase(path: directory + "/crucible.db", logger: logger)
            postgresDatabase = nil
            postgresURL = nil
            pool = nil
        case .postgres:
            let name = "crucible_t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            let admin = try TestPostgres.url
            try await PostgresDatabase.withDatabase(url: admin, logger: logger, maximumConnections: 1) {
                _ = try await $0.read { try await $0.query("CREATE DATABASE \(name)") }
            }
            postgresURL = Self.url(admin, database: name)
            let postgres = try PostgresDatabase(url: Self.url(admin, database: name), logger: logger)
            pool = Task { await postgres.run() }
            postgresDatabase = name
            database = postgres
        }
        let clock = clock
        store = Store(database: database, settings: settings, logger: logger, now: { clock.now() })
        try await store.migrate()
    }

    /// Moves the store's clock forward (lease expiry without waiting).
    func advance(seconds: Double) {
        clock.advance(seconds)
    }

    /// For a `defer`, which cannot await: the SQLite files go at once (an open database on Linux keeps
    /// working on unlinked files), the connections and any PostgreSQL database as soon as they can.
    func discard() {
        try? FileManager.default.removeItem(atPath: directory)
        Task { await self.close() }
    }

    func close() async {
        await store.database.close()
        await pool?.value
        try? FileManager.default.removeItem(atPath: directory)
        if let name = postgresDatabase, let admin = try? TestPostgres.url {
            try? await PostgresDatabase.withDatabase(url: admin, logger: Logger(label: "test"), maximumConnections: 1) {
                _ = try await $0.read { try await $0.query("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
            }
        }
    }

    /// The server URL with another database name.
    static func url(_ url: String, database: String) -> String {
        guard var components = URLComponents(string: url) else {
            return url
        }
        components.path = "/" + database
        return components.string ?? url
    }
}

/// Wall-clock time plus an offset a test can move forward.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var offset: Double = 0

    func now() -> Date {
        Date().addingTimeInterval(lock.withLock { offset })
    }

    func advance(_ seconds: Double) {
        lock.withLock { offset += seconds }
    }
}

enum Samples {
    static func task(_ id: String, language: Language = .python) -> TaskSpec {
        TaskSpec(
            id: id, language: language, scenario: .codeGeneration, difficulty: .easy, prompt: "Add two numbers.",
            files: ["solution.py": "def add(a, b):\n    raise NotImplementedError\n"],
            tests: ["test_solution.py": "from solution import *\n\ndef test_add():\n    assert add(1, 2) == 3\n"],
            testMode: .framework, reference: ["solution.py": "def add(a, b):\n    return a + b\n"])
    }

    static func candidate(_ taskID: String, model: String = "m1") -> Candidate {
        Candidate(
            taskID: taskID, model: model, files: ["solution.py": "def add(a, b):\n    return a + b\n"],
            metadata: CandidateMetadata(latencyMS: 1200, costUSD: 0.002))
    }

    static func run(tasks: Int = 1, candidatesPerTask: Int = 1, name: String = "run") -> RunSubmission {
        let specs = (0..<tasks).map { task("t\($0)") }
        let candidates = specs.flatMap { spec in (0..<candidatesPerTask).map { candidate(spec.id, model: "m\($0)") } }
        return RunSubmission(name: name, tasks: specs, candidates: candidates)
    }

    static func registration(_ name: String = "node-a", slots: Int = 4) -> AgentRegistration {
        AgentRegistration(
            name: name, slots: slots, labels: ["zone": "test"], cgroupVersion: .v1, toolchains: [.python, .go],
            version: "test")
    }

    static func result(for job: LeasedJob, verdict: Verdict = .passed) -> JobResult {
        let passed = verdict == .passed
        return JobResult(
            taskID: job.task.id, model: job.candidate.model, verdict: verdict,
            error: verdict == .errored ? "toolchain missing" : nil,
            steps: [
                StepResult(
                    name: .test, status: passed ? .ok : .exited, exitCode: passed ? 0 : 1, cpuTimeS: 0.2,
                    wallTimeS: 0.3, peakMemoryBytes: 1_000_000)
            ],
            tests: [TestResult(name: "test_add", status: passed ? .passed : .failed)], testsPassed: passed ? 1 : 0,
            testsTotal: 1)
    }
}
