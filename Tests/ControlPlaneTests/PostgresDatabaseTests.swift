import Foundation
import Logging
import Testing

@testable import ControlPlane

/// The PostgreSQL driver against a real server (`TestPostgres.url`): values, placeholders, transactions, retries,
/// errors. Each test works in a schema of its own and drops it.
@Suite struct PostgresDatabaseTests {
    struct Planned: Error {}

    // MARK: Values

    @Test func everyValueKindRoundTrips() async throws {
        try await TestPostgres.withSchema { database, schema in
            _ = try await database.transaction { connection in
                try await connection.query(
                    "CREATE TABLE \(schema).vals (id BIGINT PRIMARY KEY, i BIGINT, r DOUBLE PRECISION, t TEXT)")
            }
            let rows: [[SQLValue]] = [
                [.integer(1), .integer(.max), .real(1.5), .text("plain")],
                [.integer(2), .integer(.min), .real(-0.000_25), .text("Grüße, 世界 🚀 it's a '?' \\ \"q\"\n;")],
                [.integer(3), .null, .null, .null],
                [.integer(4), .integer(0), .real(1e300), .text("")],
            ]
            try await database.transaction { connection in
                for row in rows {
                    try await connection.query("INSERT INTO \(schema).vals (id, i, r, t) VALUES (?, ?, ?, ?)", row)
                }
            }
            let read = try await database.read { connection in
                try await connection.query("SELECT id, i, r, t FROM \(schema).vals ORDER BY id")
            }
            #expect(read.map(\.values) == rows)
            #expect(read.first?.columns == ["id": 0, "i": 1, "r": 2, "t": 3])
            #expect(try read[1].string("t") == "Grüße, 世界 🚀 it's a '?' \\ \"q\"\n;")
            #expect(try read[2].optionalInt("i") == nil)

            // Binds with no column to give them a type: PostgreSQL takes BIGINT, DOUBLE PRECISION and TEXT from
            // the values, and an untyped NULL reads back as NULL.
            let direct = try await database.read { connection in
                try await connection.query(
                    "SELECT ? AS i, ? AS r, ? AS t, ? AS n", [.integer(-7), .real(2.5), .text("ü"), .null])
            }
            #expect(direct.first?.values == [.integer(-7), .real(2.5), .text("ü"), .null])

            // A NULL fits where no bound type would: an optional filter (`? IS NULL OR …`) and a BIGINT column.
            for filter in [SQLValue.null, .integer(1)] {
                let ids = try await database.read { connection in
                    try await connection.query(
                        "SELECT id FROM \(schema).vals WHERE (? IS NULL OR id = ?) AND i IS NOT NULL ORDER BY id",
                        [filter, filter]
                    ).map { try $0.int("id") }
                }
                #expect(ids == (filter == .null ? [1, 2, 4] : [1]))
            }
        }
    }

    @Test func cellsDecodeByType() async throws {
        try await TestPostgres.withSchema { database, _ in
            let row = try await database.transaction { connection in
                try await connection.query(
                    """
                    SELECT true AS yes, false AS no, 7::smallint AS small, 8::integer AS medium, 1.25::numeric AS num,
                           2.5::real AS float4, to_timestamp(1700000000.5) AS ts, 'v'::varchar AS vc,
                           'c'::char(3) AS bp,
                           '{"a": 1}'::jsonb AS doc, '00000000-0000-0000-0000-000000000001'::uuid AS id,
                           NULL::bigint AS missing, '\\x00ff'::bytea AS bytes, pg_advisory_xact_lock(?) AS locked
                    """, 7_242_024)
            }.first
            let values = try #require(row)
            #expect(values["yes"] == .integer(1))
            #expect(values["no"] == .integer(0))
            #expect(values["small"] == .integer(7))
            #expect(values["medium"] == .integer(8))
            #expect(values["num"] == .real(1.25))
            #expect(values["float4"] == .real(2.5))
            #expect(values["ts"] == .real(1_700_000_000.5))
            #expect(values["vc"] == .text("v"))
            #expect(values["bp"] == .text("c  "))
            #expect(values["doc"] == .text("{\"a\": 1}"))
            #expect(values["id"] == .text("00000000-0000-0000-0000-000000000001"))
            #expect(values["missing"] == .null)
            #expect(values["bytes"] == .text("\\x00ff"))
            #expect(values["locked"] == .null)
        }
    }

    @Test func unreadableTypeNamesTheCast() async throws {
        try await TestPostgres.withSchema { database, _ in
            let error = await #expect(throws: ControlPlaneError.self) {
                try await database.read { try await $0.query("SELECT interval '1 day' AS span") }
            }
            #expect(error?.message.contains("span") == true)
            #expect(error?.message.contains("cast it to TEXT") == true)
        }
    }

    // MARK: Placeholders

    @Test(arguments: [
        ("SELECT ?, ?", [("SELECT $1, $2", 2)]),
        ("SELECT '?' AS q, ?", [("SELECT '?' AS q, $1", 1)]),
        ("SELECT 'it''s ?', ?", [("SELECT 'it''s ?', $1", 1)]),
        ("SELECT E'\\'?', ?", [("SELECT E'\\'?', $1", 1)]),
        ("SELECT \"odd?name\" FROM t WHERE x = ?", [("SELECT \"odd?name\" FROM t WHERE x = $1", 1)]),
        ("SELECT 1 -- why?\n, ?", [("SELECT 1 -- why?\n, $1", 1)]),
        ("SELECT /* a? /* b? */ c? */ ?", [("SELECT /* a? /* b? */ c? */ $1", 1)]),
        ("DO $$ BEGIN PERFORM '?'; END $$", [("DO $$ BEGIN PERFORM '?'; END $$", 0)]),
        ("SELECT $fn$ ? ; $fn$, ?", [("SELECT $fn$ ? ; $fn$, $1", 1)]),
        ("SELECT a$b, ? FROM t", [("SELECT a$b, $1 FROM t", 1)]),
        (
            "INSERT INTO a VALUES (?); SELECT * FROM a WHERE b = ? AND c = ?;",
            [("INSERT INTO a VALUES ($1)", 1), ("SELECT * FROM a WHERE b = $1 AND c = $2", 2)]
        ),
        ("  ; -- nothing\n ; SELECT 1 ; /* done */ ", [("SELECT 1", 0)]),
        ("SELECT 'Grüße ?', ? AS \"ü\"", [("SELECT 'Grüße ?', $1 AS \"ü\"", 1)]),
    ])
    func placeholdersAreRewritten(sql: String, expected: [(String, Int)]) {
        let split = PostgresStatements.split(sql)
        #expect(split.map(\.sql) == expected.map(\.0))
        #expect(split.map(\.parameterCount) == expected.map(\.1))
    }

    @Test func nullsAreWrittenAsLiteralsAndTheRestNumbered() throws {
        let statement = try #require(PostgresStatements.split("SELECT ?,?, x=?, ?::text, f(?)").first)
        #expect(statement.text(nullAt: [0, 2, 4]) == "SELECT NULL,$1, x=NULL, $2::text, f(NULL)")
        let glued = try #require(PostgresStatements.split("SELECT?AS a").first)
        #expect(glued.text(nullAt: [0]) == "SELECT NULL AS a")
    }

    @Test func placeholdersAgainstTheServer() async throws {
        try await TestPostgres.withSchema { database, schema in
            let rows = try await database.transaction { connection in
                try await connection.query(
                    """
                    CREATE TABLE \(schema).notes (id BIGINT, body TEXT);
                    INSERT INTO \(schema).notes VALUES (?, 'what? ''really?''');
                    INSERT INTO \(schema).notes VALUES (?, ?);
                    SELECT id, body, '?' AS mark FROM \(schema).notes WHERE id >= ? ORDER BY id
                    """, 1, 2, "plain?", 1)
            }
            #expect(
                rows.map(\.values) == [
                    [.integer(1), .text("what? 'really?'"), .text("?")],
                    [.integer(2), .text("plain?"), .text("?")],
                ])
        }
    }

    @Test func placeholderCountMismatchIsCaughtBeforeRunning() async throws {
        try await TestPostgres.withSchema { database, _ in
            let error = await #expect(throws: ControlPlaneError.self) {
                try await database.read { try await $0.query("SELECT ?, '?'", 1, 2) }
            }
            #expect(error?.code == .internalError)
            #expect(error?.message.contains("1 ? placeholders but 2 values") == true)
        }
    }

    // MARK: Transactions

    @Test func committedWritesAreVisible() async throws {
        try await TestPostgres.withSchema { database, schema in
            try await database.transaction { connection in
                try await connection.query("CREATE TABLE \(schema).items (id TEXT PRIMARY KEY)")
                try await connection.query("INSERT INTO \(schema).items (id) VALUES (?)", "a")
                try await connection.query("INSERT INTO \(schema).items (id) VALUES (?)", "b")
            }
            let ids = try await database.read { connection in
                try await connection.query("SELECT id FROM \(schema).items ORDER BY id").map { try $0.string("id") }
            }
            #expect(ids == ["a", "b"])
        }
    }

    @Test func aThrowingBodyRollsBackAndItsErrorPassesThrough() async throws {
        try await TestPostgres.withSchema { database, schema in
            _ = try await database.transaction { try await $0.query("CREATE TABLE \(schema).items (id TEXT)") }
            await #expect(throws: Planned.self) {
                try await database.transaction { connection in
                    try await connection.query("INSERT INTO \(schema).items (id) VALUES (?)", "lost")
                    throw Planned()
                }
            }
            let count = try await database.read { connection in
                try await connection.query("SELECT count(*) AS n FROM \(schema).items").first?.int("n")
            }
            #expect(count == 0)
            // The connection went back to the pool outside any transaction: the next one works.
            _ = try await database.transaction { connection in
                try await connection.query("INSERT INTO \(schema).items (id) VALUES (?)", "kept")
            }
            let kept = try await database.read { try await $0.query("SELECT id FROM \(schema).items") }
            #expect(kept.map(\.values) == [[.text("kept")]])
        }
    }

    @Test func concurrentIncrementsUnderRowLocksAddUp() async throws {
        let tasks = 16
        let increments = 5
        try await TestPostgres.withSchema(maximumConnections: 8) { database, schema in
            try await database.transaction { connection in
                try await connection.query("CREATE TABLE \(schema).counter (id INTEGER PRIMARY KEY, n BIGINT NOT NULL)")
                try await connection.query("INSERT INTO \(schema).counter (id, n) VALUES (1, 0)")
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<tasks {
                    group.addTask {
                        for _ in 0..<increments {
                            try await database.transaction { connection in
                                let rows = try await connection.query(
                                    "SELECT n FROM \(schema).counter WHERE id = 1 FOR UPDATE")
                                let n = try #require(rows.first).int("n")
                                // A pause while holding the lock, so that the others really queue behind it.
                                try await Task.sleep(for: .milliseconds(1))
                                try await connection.query("UPDATE \(schema).counter SET n = ? WHERE id = 1", n + 1)
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let total = try await database.read { connection in
                try await connection.query("SELECT n FROM \(schema).counter WHERE id = 1").first?.int("n")
            }
            #expect(total == tasks * increments)
        }
    }

    @Test(arguments: ["40001", "40P01"])
    func serialisationFailuresAndDeadlocksAreRetried(sqlState: String) async throws {
        try await TestPostgres.withSchema { database, schema in
            _ = try await database.transaction { try await $0.query("CREATE TABLE \(schema).log (attempt INTEGER)") }
            var attempts = 0
            let result = try await database.transaction { connection in
                attempts += 1
                try await connection.query("INSERT INTO \(schema).log (attempt) VALUES (?)", attempts)
                if attempts == 1 {
                    try await connection.query(
                        "DO $$ BEGIN RAISE EXCEPTION 'forced conflict' USING ERRCODE = '\(sqlState)'; END $$")
                }
                return attempts
            }
            #expect(result == 2)
            let logged = try await database.read { connection in
                try await connection.query("SELECT attempt FROM \(schema).log").map { try $0.int("attempt") }
            }
            #expect(logged == [2])
        }
    }

    @Test func retriesStopAfterTheMaximumAttempts() async throws {
        try await TestPostgres.withSchema { database, _ in
            var attempts = 0
            let error = await #expect(throws: ControlPlaneError.self) {
                try await database.transaction { connection in
                    attempts += 1
                    try await connection.query("DO $$ BEGIN RAISE EXCEPTION 'always' USING ERRCODE = '40001'; END $$")
                }
            }
            #expect(attempts == PostgresDatabase.maximumAttempts)
            #expect(error?.code == .unavailable)
            #expect(error?.message.contains("SQLSTATE 40001") == true)
            #expect(error?.message.contains("after 5 attempts") == true)
        }
    }

    /// A real conflict: two SERIALIZABLE transactions each read the whole table, then each insert a row that the
    /// other's read would have seen (write skew). PostgreSQL aborts one with 40001; its retry runs alone.
    @Test func aRealSerializableConflictIsRetried() async throws {
        try await TestPostgres.withSchema { database, schema in
            _ = try await database.transaction { try await $0.query("CREATE TABLE \(schema).doctors (name TEXT)") }
            let bothHaveRead = Barrier(parties: 2)
            let attempts = Counter()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for name in ["alice", "bob"] {
                    group.addTask {
                        try await database.transaction { connection in
                            let attempt = await attempts.increment()
                            try await connection.query("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE")
                            let count = try await connection.query("SELECT count(*) AS n FROM \(schema).doctors")
                            _ = try count.first?.int("n")
                            if attempt <= 2 {
                                await bothHaveRead.arrive()
                            }
                            try await connection.query("INSERT INTO \(schema).doctors (name) VALUES (?)", name)
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(await attempts.value >= 3)
            let names = try await database.read { connection in
                try await connection.query("SELECT name FROM \(schema).doctors ORDER BY name").map {
                    try $0.string("name")
                }
            }
            #expect(names == ["alice", "bob"])
        }
    }

    // MARK: Errors

    @Test func uniqueViolationsAreDetectable() async throws {
        try await TestPostgres.withSchema { database, schema in
            try await database.transaction { connection in
                try await connection.query("CREATE TABLE \(schema).runs (id TEXT PRIMARY KEY, name TEXT NOT NULL)")
                try await connection.query("INSERT INTO \(schema).runs (id, name) VALUES (?, ?)", "r1", "first")
            }
            let duplicate = await #expect(throws: ControlPlaneError.self) {
                try await database.transaction { connection in
                    try await connection.query("INSERT INTO \(schema).runs (id, name) VALUES (?, ?)", "r1", "again")
                }
            }
            #expect(duplicate?.isUniqueViolation == true)
            #expect(duplicate?.code == .duplicateID)
            #expect(duplicate?.message.contains("SQLSTATE 23505") == true)

            // Another constraint is a database error, not a unique violation.
            let notNull = await #expect(throws: ControlPlaneError.self) {
                try await database.transaction { connection in
                    try await connection.query(
                        "INSERT INTO \(schema).runs (id, name) VALUES (?, ?)", [.text("r2"), .null])
                }
            }
            #expect(notNull?.isUniqueViolation == false)
            #expect(notNull?.code == .unavailable)
            #expect(notNull?.message.contains("SQLSTATE 23502") == true)

            // A body that swallows the violation cannot commit what came before it: PostgreSQL aborted the
            // transaction, and the driver says so instead of reporting success.
            let swallowed = await #expect(throws: ControlPlaneError.self) {
                try await database.transaction { connection in
                    try await connection.query("INSERT INTO \(schema).runs (id, name) VALUES (?, ?)", "r3", "third")
                    _ = try? await connection.query(
                        "INSERT INTO \(schema).runs (id, name) VALUES (?, ?)", "r1", "again")
                }
            }
            #expect(swallowed?.isUniqueViolation == true)
            let ids = try await database.read { connection in
                try await connection.query("SELECT id FROM \(schema).runs ORDER BY id").map { try $0.string("id") }
            }
            #expect(ids == ["r1"])
        }
    }

    @Test(arguments: [
        ("", "is empty"),
        ("mysql://u:p@h/db", "scheme \"mysql\""),
        ("127.0.0.1:5432/db", "has no scheme"),
        ("postgres://h:5432/db", "names no user"),
        ("postgres://u:p@/db", "names no host"),
        ("postgres://u:p@h:abc/db", "port \"abc\""),
        ("postgres://u:p@h:70000/db", "port \"70000\""),
        ("postgres://u:p@h:5432", "names no database"),
        ("postgres://u:p@h:5432/", "names no database"),
        ("postgres://u:p@h/a/b", "one path segment"),
        ("postgres://u:p@h1,h2/db", "several hosts"),
        ("postgres://u:p@[::1/db", "closing ]"),
        ("postgres://u:p@h/db?sslmode=sometimes", "sslmode is one of disable, allow, prefer"),
        ("postgres://u:p@h/db?connect_timeout=0", "connect_timeout"),
        ("postgres://u:p@h/db?pool=3", "unknown parameter \"pool\""),
    ])
    func badURLsSayWhatIsWrong(url: String, expected: String) {
        let error = #expect(throws: ControlPlaneError.self) {
            _ = try PostgresDatabase(url: url, logger: TestPostgres.logger)
        }
        #expect(error?.code == "invalid_configuration")
        #expect(error?.message.contains(expected) == true, "\(error?.message ?? "no error")")
    }

    @Test func urlMessagesAndLogsHideThePassword() throws {
        let error = #expect(throws: ControlPlaneError.self) {
            _ = try PostgresURL("postgres://crucible:s3cret@db.example:nope/crucible")
        }
        #expect(error?.message.contains("s3cret") == false)
        #expect(error?.message.contains("crucible:***@db.example") == true)
        let url = try PostgresURL("postgres://crucible:s3cret@db.example/crucible")
        #expect(url.redacted == "postgres://crucible:***@db.example:5432/crucible")
    }

    @Test func urlPartsAreDecoded() throws {
        let url = try PostgresURL(
            "postgresql://us%40er:p%3Ass@w@[::1]:6543/my%20db?sslmode=disable&connect_timeout=3&application_name=cp")
        #expect(url.user == "us@er")
        #expect(url.password == "p:ss@w")
        #expect(url.host == "::1")
        #expect(url.port == 6543)
        #expect(url.database == "my db")
        #expect(url.sslMode == .disable)
        #expect(url.connectTimeout == .seconds(3))
        #expect(url.applicationName == "cp")
        let plain = try PostgresURL("postgres://crucible@localhost/crucible")
        #expect(plain.password == nil)
        #expect(plain.port == 5432)
        #expect(plain.sslMode == .prefer)
    }

    @Test func theConnectionCheckReportsTheServersReason() async throws {
        let good = try PostgresURL(try TestPostgres.url)
        try await PostgresDatabase(url: good, logger: TestPostgres.logger).checkConnection()

        var wrongPassword = good
        wrongPassword.password = "not-the-password"
        let refused = await #expect(throws: ControlPlaneError.self) {
            try await PostgresDatabase(url: wrongPassword, logger: TestPostgres.logger).checkConnection()
        }
        #expect(refused?.message.contains("password authentication failed") == true)
        #expect(refused?.message.contains("not-the-password") == false)

        var nothingListening = good
        nothingListening.host = "127.0.0.1"
        nothingListening.port = 1
        let unreachable = await #expect(throws: ControlPlaneError.self) {
            try await PostgresDatabase(url: nothingListening, logger: TestPostgres.logger).checkConnection()
        }
        #expect(unreachable?.code == .unavailable)
        #expect(unreachable?.message.contains("cannot connect") == true)
    }

    @Test func callsAfterCloseFail() async throws {
        let url = try TestPostgres.url
        let database = try PostgresDatabase(url: url, logger: TestPostgres.logger)
        await withDiscardingTaskGroup { group in
            group.addTask { await database.run() }
            _ = try? await database.read { try await $0.query("SELECT 1 AS one") }
            await database.close()
        }
        let error = await #expect(throws: ControlPlaneError.self) {
            try await database.read { try await $0.query("SELECT 1 AS one") }
        }
        #expect(error?.message.contains("closed") == true)

        // Closed without ever running: nothing hangs, calls fail.
        let neverRun = try PostgresDatabase(url: url, logger: TestPostgres.logger)
        await neverRun.close()
        await #expect(throws: ControlPlaneError.self) {
            try await neverRun.transaction { try await $0.query("SELECT 1 AS one") }
        }
    }
}

/// Lets `parties` tasks through once all of them have arrived.
private actor Barrier {
    private let parties: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(parties: Int) {
        self.parties = parties
    }

    func arrive() async {
        if waiting.count + 1 >= parties {
            let released = waiting
            waiting = []
            for continuation in released {
                continuation.resume()
            }
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }
}

private actor Counter {
    private(set) var value = 0

    func increment() -> Int {
        value += 1
        return value
    }
}
