import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// The cluster store: one PostgreSQL database that every control-plane replica shares, through a pool of
/// connections (postgres-nio's `PostgresClient`).
///
/// The pool works only while `run()` runs, so the owner runs it for the database's lifetime:
///
/// - in a `ServiceGroup` (or as one of Hummingbird's `services`), listed before the HTTP server, so that at a
///   graceful shutdown the server stops first and the pool closes after the last request;
/// - or with `PostgresDatabase.withDatabase(url:logger:_:)`, which runs it around a body (tools, tests).
///
/// Until `run()` starts, queries wait for it. `close()` ends `run()` and closes every connection; after it, every
/// call fails with `ControlPlaneError.database`. `checkConnection()` is the start-up check: it fails at once with
/// PostgreSQL's reason (wrong password, no such database, nothing listening), where the pool would keep retrying.
///
/// Statements use `?` placeholders (see `PostgresStatements`). Values bind as BIGINT, DOUBLE PRECISION and TEXT; a
/// NULL is written into the statement as the literal NULL. Cells read back by type: integer types and BOOLEAN (0/1) as integers, floating-point and NUMERIC
/// (and timestamps, as seconds since 1970) as reals, text-like types (TEXT, VARCHAR, JSON, UUID, enums) as text.
///
/// Errors: PostgreSQL's failures become `ControlPlaneError.database` (503, with the server's message and SQLSTATE),
/// except a unique violation (23505), which becomes `ControlPlaneError.uniqueViolation` (`isUniqueViolation`).
/// Note that PostgreSQL aborts a transaction at its first failed statement: a body cannot catch a unique violation
/// and carry on (write `INSERT … ON CONFLICT DO NOTHING` instead, which both databases accept). A body that
/// swallows such an error and returns still fails, with that error, rather than report a commit that did not
/// happen.
public final class PostgresDatabase: SQLDatabase, Service {
    /// How often a transaction body runs when PostgreSQL reports a serialisation failure (40001) or a deadlock
    /// (40P01), counting the first run.
    public static let maximumAttempts = 5

    public let dialect = SQLDialect.postgres
    public let url: PostgresURL

    private let client: PostgresClient
    private let logger: Logger
    private let lifecycle = Mutex(Lifecycle())
    private let stopRequested = Latch()
    private let stopped = Latch()

    private struct Lifecycle {
        var started = false
        var closed = false
    }

    /// A database at `url` (`postgres://USER:PASSWORD@HOST:PORT/DATABASE[?sslmode=disable]`); it connects lazily,
    /// once `run()` runs. Throws `ControlPlaneError.configuration` naming what is wrong with the URL.
    public convenience init(url: String, logger: Logger, maximumConnections: Int = 20) throws(ControlPlaneError) {
        try self.init(url: PostgresURL(url), logger: logger, maximumConnections: maximumConnections)
    }

    public init(url: PostgresURL, logger: Logger, maximumConnections: Int = 20) throws(ControlPlaneError) {
        guard maximumConnections >= 1 else {
            throw .configuration("the PostgreSQL pool needs at least 1 connection, not \(maximumConnections)")
        }
        var logger = logger
        logger[metadataKey: "database"] = "\(url.redacted)"
        self.url = url
        self.logger = logger
        client = PostgresClient(
            configuration: url.clientConfiguration(maximumConnections: maximumConnections), backgroundLogger: logger)
    }

    /// Runs `body` with a database whose pool runs for exactly as long, then closes it.
    public static func withDatabase<T: Sendable>(
        url: String,
        logger: Logger,
        maximumConnections: Int = 20,
        _ body: (PostgresDatabase) async throws -> T
    ) async throws -> T {
        let database = try PostgresDatabase(url: url, logger: logger, maximumConnections: maximumConnections)
        return try await withThrowingTaskGroup(of: Void.self, returning: T.self) { group in
            group.addTask { await database.run() }
            do {
                let value = try await body(database)
                await database.close()
                return value
            } catch {
                await database.close()
                throw error
            }
        }
    }

    // MARK: - Lifecycle

    /// Runs the pool until `close()`, a graceful shutdown, or the cancellation of the calling task. A second call,
    /// or a call after `close()`, returns at once.
    public func run() async {
        let first = lifecycle.withLock { state in
            guard !state.started, !state.closed else {
                return false
            }
            state.started = true
            return true
        }
        guard first else {
            logger.debug("postgres pool: run() ignored, it already ran or the database is closed")
            return
        }
        logger.info("postgres pool running")
        await withDiscardingTaskGroup { group in
            group.addTask { await self.client.run() }
            await withGracefulShutdownHandler {
                await self.stopRequested.wait()
            } onGracefulShutdown: {
                self.stopRequested.open()
            }
            // Cancelling the client's run shuts the pool down: it fails waiting requests and closes every
            // connection before returning.
            group.cancelAll()
        }
        lifecycle.withLock { $0.closed = true }
        stopped.open()
        logger.info("postgres pool closed")
    }

    /// Closes every connection and ends `run()`; later calls fail. Returns once the connections are closed.
    public func close() async {
        let started = lifecycle.withLock { state in
            let started = state.started
            state.started = true
            state.closed = true
            return started
        }
        stopRequested.open()
        if started {
            await stopped.wait()
        } else {
            // Never run: run the client once, already cancelled, so that the pool shuts down and fails any request
            // that is waiting for it instead of leaving it waiting forever.
            await withDiscardingTaskGroup { group in
                group.addTask { await self.client.run() }
                group.cancelAll()
            }
            stopped.open()
        }
    }

    private var isClosed: Bool { lifecycle.withLock { $0.closed } }

    // MARK: - SQLDatabase

    /// BEGIN, `body`, COMMIT on one connection; ROLLBACK when `body` throws. After a serialisation failure or a
    /// deadlock the whole transaction runs again, up to `maximumAttempts` times, after a short random pause.
    public func transaction<T: Sendable>(_ body: (any SQLConnection) async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            let failures = PostgresStatementFailures()
            do {
                return try await attemptTransaction(failures: failures, body)
            } catch {
                guard let sqlState = failures.retryableSQLState else {
                    throw error
                }
                guard attempt < Self.maximumAttempts else {
                    logger.warning(
                        "postgres transaction failed on every attempt",
                        metadata: ["sqlstate": "\(sqlState)", "attempts": "\(attempt)"])
                    if var error = error as? ControlPlaneError {
                        error.message += " (after \(attempt) attempts)"
                        throw error
                    }
                    throw error
                }
                // Random, so that the transactions that collided do not collide again in step; growing, so that a
                // hot row gets some air.
                let pause = Int.random(in: 5...25) * attempt
                logger.notice(
                    "postgres transaction retried",
                    metadata: ["sqlstate": "\(sqlState)", "attempt": "\(attempt)", "pause_ms": "\(pause)"])
                try await Task.sleep(for: .milliseconds(pause))
                attempt += 1
            }
        }
    }

    /// `body` on one connection, outside any explicit transaction: each statement sees its own snapshot.
    public func read<T: Sendable>(_ body: (any SQLConnection) async throws -> T) async throws -> T {
        try await withLeasedConnection { connection in
            try await body(
                PostgresSQLConnection(connection: connection, logger: logger, failures: PostgresStatementFailures()))
        }
    }

    /// Opens one connection outside the pool, runs `SELECT 1` and closes it. For start-up and readiness checks:
    /// it reports PostgreSQL's own reason at once (a wrong password, an unknown database, nothing listening),
    /// where a pool request would wait while the pool retries.
    public func checkConnection() async throws(ControlPlaneError) {
        let configuration: PostgresConnection.Configuration
        do {
            configuration = try url.connectionConfiguration()
        } catch {
            throw .configuration("cannot set up TLS for \(url.redacted): \(error)")
        }
        do {
            let connection = try await PostgresConnection.connect(
                configuration: configuration, id: 0, logger: logger)
            do {
                _ = try await connection.query("SELECT 1", logger: logger).collect()
            } catch {
                try? await connection.close()
                throw error
            }
            try? await connection.close()
        } catch {
            let detail = PostgresErrors.map(error).detail
            logger.error("postgres connection check failed", metadata: ["error": "\(detail)"])
            throw .database("cannot use PostgreSQL at \(url.redacted): \(detail)")
        }
    }

    // MARK: - Internals

    private func attemptTransaction<T: Sendable>(
        failures: PostgresStatementFailures,
        _ body: (any SQLConnection) async throws -> T
    ) async throws -> T {
        try await withLeasedConnection { connection in
            let sql = PostgresSQLConnection(connection: connection, logger: logger, failures: failures)
            try await sql.run("BEGIN")
            let value: T
            do {
                value = try await body(sql)
            } catch {
                await rollback(sql)
                throw error
            }
            if let failure = failures.first {
                // The body carried on after a failed statement. PostgreSQL has aborted the transaction, and COMMIT
                // would quietly roll it back: report the failure rather than a commit that did not happen.
                await rollback(sql)
                throw failure
            }
            // A COMMIT can fail too (a SERIALIZABLE conflict shows up there); `failures` notes it for a retry.
            try await sql.run("COMMIT")
            return value
        }
    }

    private func rollback(_ sql: PostgresSQLConnection) async {
        do {
            try await sql.run("ROLLBACK")
        } catch {
            // The connection may still be inside the transaction; closed, it cannot go back to the pool that way.
            logger.warning("postgres ROLLBACK failed; closing the connection", metadata: ["error": "\(error)"])
            try? await sql.connection.close()
        }
    }

    /// A pooled connection for `body`. A failure to get one (pool closed, server unreachable for long enough that
    /// the pool gives up) becomes `ControlPlaneError.database`; errors of `body` pass through unchanged.
    private func withLeasedConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        guard !isClosed else {
            throw ControlPlaneError.database("the PostgreSQL pool for \(url.redacted) is closed")
        }
        var leased = false
        do {
            return try await client.withConnection { connection in
                leased = true
                return try await body(connection)
            }
        } catch let error where !leased {
            let detail = PostgresErrors.map(error).detail
            logger.error("postgres pool gave no connection", metadata: ["error": "\(detail)"])
            throw ControlPlaneError.database("no connection to PostgreSQL at \(url.redacted): \(detail)")
        }
    }
}

/// A one-way gate that tasks wait on: shut until `open()`, then open for good.
private final class Latch: Sendable {
    private struct State {
        var isOpen = false
        var nextID = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    func open() {
        let waiters = state.withLock { state in
            state.isOpen = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters {
            waiter.resume()
        }
    }

    /// Returns once the latch is open, or when the calling task is cancelled.
    func wait() async {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    if state.isOpen || Task.isCancelled {
                        return true
                    }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow {
                    continuation.resume()
                }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }
}
