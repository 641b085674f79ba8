import Foundation

// Versioned migrations, applied in order at start in one transaction, each recorded in
// `schema_migrations`. The DDL is written once in the subset both databases accept (TEXT, BIGINT, INTEGER,
// DOUBLE PRECISION); only the serial key and the migration lock differ. Never edit a released migration:
// add a new one.
enum Schema {
    struct Migration: Sendable {
        let version: Int
        let name: String
        let statements: @Sendable (SQLDialect) -> [String]
    }

    static let migrations: [Migration] = [
        Migration(version: 1, name: "runs, jobs, events, agents, tokens, judgements") { _ in
            [
                """
                CREATE TABLE tokens (
                    id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, role TEXT NOT NULL, tenant TEXT NOT NULL,
                    name TEXT NOT NULL, agent_id TEXT, rate_per_s DOUBLE PRECISION NOT NULL,
                    created_at DOUBLE PRECISION NOT NULL, revoked INTEGER NOT NULL DEFAULT 0)
                """,
                """
                CREATE TABLE tasks (
                    tenant TEXT NOT NULL, id TEXT NOT NULL, language TEXT NOT NULL, scenario TEXT NOT NULL,
                    difficulty TEXT NOT NULL, spec TEXT NOT NULL, created_at DOUBLE PRECISION NOT NULL,
                    PRIMARY KEY (tenant, id))
                """,
                """
                CREATE TABLE runs (
                    id TEXT PRIMARY KEY, tenant TEXT NOT NULL, name TEXT NOT NULL, priority INTEGER NOT NULL,
                    weights TEXT NOT NULL, job_count INTEGER NOT NULL, event_seq BIGINT NOT NULL DEFAULT 0,
                    created_at DOUBLE PRECISION NOT NULL, completed_at DOUBLE PRECISION)
                """,
                "CREATE INDEX runs_tenant ON runs (tenant, created_at)",
                """
                CREATE TABLE run_tasks (
                    run_id TEXT NOT NULL REFERENCES runs (id), task_id TEXT NOT NULL, spec TEXT NOT NULL,
                    PRIMARY KEY (run_id, task_id))
                """,
                """
                CREATE TABLE jobs (
                    id TEXT PRIMARY KEY, run_id TEXT NOT NULL REFERENCES runs (id), seq INTEGER NOT NULL,
                    tenant TEXT NOT NULL, task_id TEXT NOT NULL, model TEXT NOT NULL, language TEXT NOT NULL,
                    scenario TEXT NOT NULL, difficulty TEXT NOT NULL, candidate TEXT NOT NULL,
                    state TEXT NOT NULL, attempt INTEGER NOT NULL DEFAULT 0,
                    lease_id TEXT, agent_id TEXT, lease_expires_at DOUBLE PRECISION,
                    last_lease_id TEXT, last_reply TEXT, avoid_agent TEXT, avoid_until DOUBLE PRECISION,
                    events_seq INTEGER NOT NULL DEFAULT 0,
                    verdict TEXT, error TEXT, result TEXT, score TEXT, automated DOUBLE PRECISION, outcome TEXT,
                    reference_cpu_time_s DOUBLE PRECISION,
                    created_at DOUBLE PRECISION NOT NULL, leased_at DOUBLE PRECISION,
                    completed_at DOUBLE PRECISION)
                """,
                "CREATE INDEX jobs_run_state ON jobs (run_id, state, seq)",
                "CREATE INDEX jobs_run ON jobs (run_id, seq)",
                "CREATE INDEX jobs_lease ON jobs (lease_id)",
                "CREATE INDEX jobs_expiry ON jobs (state, lease_expires_at)",
                """
                CREATE TABLE events (
                    run_id TEXT NOT NULL, id BIGINT NOT NULL, job_id TEXT, type TEXT NOT NULL,
                    body TEXT NOT NULL, at DOUBLE PRECISION NOT NULL, PRIMARY KEY (run_id, id))
                """,
                """
                CREATE TABLE agents (
                    id TEXT PRIMARY KEY, name TEXT NOT NULL, slots INTEGER NOT NULL, labels TEXT NOT NULL,
                    cgroup_version TEXT NOT NULL, toolchains TEXT NOT NULL, version TEXT NOT NULL,
                    state TEXT NOT NULL, running_jobs INTEGER NOT NULL DEFAULT 0, load_average DOUBLE PRECISION,
                    registered_at DOUBLE PRECISION NOT NULL, last_heartbeat_at DOUBLE PRECISION)
                """,
                """
                CREATE TABLE judgements (
                    id TEXT PRIMARY KEY, job_id TEXT NOT NULL REFERENCES jobs (id), run_id TEXT NOT NULL,
                    tenant TEXT NOT NULL, kind TEXT NOT NULL, score DOUBLE PRECISION NOT NULL, author TEXT NOT NULL,
                    comment TEXT, created_at DOUBLE PRECISION NOT NULL)
                """,
                "CREATE INDEX judgements_job ON judgements (job_id)",
                "CREATE INDEX judgements_run ON judgements (run_id)",
            ]
        }
    ]

    /// Applies every migration not yet recorded. Several replicas may start at once: PostgreSQL takes a
    /// transaction-scoped advisory lock first; SQLite's `BEGIN IMMEDIATE` already excludes other writers.
    static func migrate(_ database: any SQLDatabase, now: Date) async throws -> [Int] {
        try await database.transaction { connection in
            if database.dialect == .postgres {
                try await connection.query("SELECT pg_advisory_xact_lock(7242023)")
            }
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at DOUBLE PRECISION NOT NULL)
                """)
            let done = Set(
                try await connection.query("SELECT version FROM schema_migrations").map { try $0.int("version") })
            var applied: [Int] = []
            for migration in migrations where !done.contains(migration.version) {
                for statement in migration.statements(database.dialect) {
                    try await connection.query(statement)
                }
                try await connection.query(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    migration.version, migration.name, now)
                applied.append(migration.version)
            }
            if let newest = done.max(), newest > (migrations.last?.version ?? 0) {
                throw ControlPlaneError.configuration(
                    "the database has schema version \(newest), newer than this crucible knows; upgrade crucible")
            }
            return applied
        }
    }
}
