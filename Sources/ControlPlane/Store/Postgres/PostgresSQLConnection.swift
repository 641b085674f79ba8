import Foundation
import Logging
import PostgresNIO
import Synchronization

/// The `SQLConnection` handed to a transaction or read body: one leased connection of the pool.
struct PostgresSQLConnection: SQLConnection, Sendable {
    let connection: PostgresConnection
    let logger: Logger
    /// Where this connection's failed statements are noted for the transaction that runs them.
    let failures: PostgresStatementFailures

    /// Runs `sql`, which may hold several statements separated by `;` (each sent on its own, in order), and
    /// returns the rows of the last one. `binds` fill the `?` placeholders of all statements, in order.
    @discardableResult
    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        let statements = PostgresStatements.split(sql)
        let placeholders = statements.reduce(0) { $0 + $1.parameterCount }
        guard placeholders == binds.count else {
            // Caught here, before anything runs, with a message about the statement rather than the server's
            // "bind message supplies 3 parameters, but prepared statement requires 2".
            throw ControlPlaneError(
                .internalError,
                "a statement has \(placeholders) ? placeholders but \(binds.count) values: \(sql.prefix(200))")
        }
        var rows: [SQLRow] = []
        var offset = 0
        for statement in statements {
            let values = binds[offset..<offset + statement.parameterCount]
            offset += statement.parameterCount
            rows = try await run(statement, values)
        }
        return rows
    }

    /// Runs one statement without placeholders (BEGIN, COMMIT, ROLLBACK).
    @discardableResult
    func run(_ sql: String) async throws(ControlPlaneError) -> [SQLRow] {
        try await run(PostgresStatement(pieces: [sql]), [])
    }

    /// Runs one statement, its placeholders filled with `values`.
    @discardableResult
    func run(_ statement: PostgresStatement, _ values: ArraySlice<SQLValue>) async throws(ControlPlaneError)
        -> [SQLRow]
    {
        var bindings = PostgresBindings(capacity: values.count)
        var nulls: Set<Int> = []
        for (index, value) in values.enumerated() {
            switch value {
            case .null: nulls.insert(index)  // written into the text; see `PostgresStatement.text(nullAt:)`
            case .integer(let integer): bindings.append(integer)
            case .real(let real): bindings.append(real)
            case .text(let text): bindings.append(text)
            }
        }
        let sql = statement.text(nullAt: nulls)
        logger.trace("postgres query", metadata: ["sql": "\(sql)", "binds": "\(bindings.count)"])
        let received: [PostgresRow]
        do {
            // Collected before decoding, so that a cell the driver cannot read never leaves a half-read result on
            // the connection.
            received = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger)
                .collect()
        } catch {
            let mapped = PostgresErrors.map(error)
            failures.note(mapped)
            logger.debug(
                "postgres statement failed",
                metadata: ["sql": "\(sql)", "sqlstate": "\(mapped.sqlState ?? "none")", "error": "\(mapped.error)"])
            throw mapped.error
        }
        guard let first = received.first else {
            return []
        }
        var columns: [String: Int] = [:]
        for cell in first where columns[cell.columnName] == nil {
            // With two columns of one name (`SELECT a.id, b.id`), the first wins, as in SQLite's lookup by name.
            columns[cell.columnName] = cell.columnIndex
        }
        var rows: [SQLRow] = []
        rows.reserveCapacity(received.count)
        for row in received {
            var values: [SQLValue] = []
            values.reserveCapacity(row.count)
            for cell in row {
                values.append(try PostgresValues.decode(cell))
            }
            rows.append(SQLRow(columns: columns, values: values))
        }
        return rows
    }
}

/// The statements that failed in one attempt of a transaction. PostgreSQL aborts a transaction at its first failed
/// statement, whatever the body does with the error, so the transaction looks here to decide: retry (a
/// serialisation failure or deadlock happened), or refuse to report success for a body that swallowed an error.
final class PostgresStatementFailures: Sendable {
    private struct State {
        var first: ControlPlaneError?
        var retryableSQLState: String?
    }

    private let state = Mutex(State())

    func note(_ failure: PostgresErrors.Mapped) {
        state.withLock { state in
            if state.first == nil {
                state.first = failure.error
            }
            if let sqlState = failure.sqlState, PostgresErrors.retryable.contains(sqlState) {
                state.retryableSQLState = state.retryableSQLState ?? sqlState
            }
        }
    }

    /// The first statement's failure.
    var first: ControlPlaneError? { state.withLock { $0.first } }

    /// 40001 or 40P01 when a statement failed with it: running the whole transaction again may succeed.
    var retryableSQLState: String? { state.withLock { $0.retryableSQLState } }
}

/// postgres-nio's errors as the control plane's.
enum PostgresErrors {
    static let uniqueViolation = "23505"
    static let serializationFailure = "40001"
    static let deadlockDetected = "40P01"
    static let retryable: Set<String> = [serializationFailure, deadlockDetected]

    struct Mapped: Sendable {
        var error: ControlPlaneError
        var sqlState: String?
        /// What went wrong, without the "the database failed" of `error`, for messages that add their own context.
        var detail: String
    }

    /// A server error keeps PostgreSQL's message, detail and SQLSTATE; a unique violation (23505) becomes
    /// `ControlPlaneError.uniqueViolation` (`isUniqueViolation`, 409 `duplicate_id`), anything else
    /// `ControlPlaneError.database` (503). An error that is not postgres-nio's passes through unchanged.
    static func map(_ error: any Error) -> Mapped {
        if let error = error as? ControlPlaneError {
            return Mapped(error: error, sqlState: nil, detail: error.message)
        }
        guard let error = error as? PSQLError else {
            return Mapped(error: .database("\(error)"), sqlState: nil, detail: "\(error)")
        }
        if error.code == .server, let info = error.serverInfo {
            let sqlState = info[.sqlState]
            var text = "\(info[.message] ?? "unknown error") (SQLSTATE \(sqlState ?? "unknown"))"
            if let detail = info[.detail] {
                text += "; \(detail)"
            }
            if let hint = info[.hint] {
                text += "; hint: \(hint)"
            }
            let mapped: ControlPlaneError = sqlState == uniqueViolation ? .uniqueViolation(text) : .database(text)
            return Mapped(error: mapped, sqlState: sqlState, detail: text)
        }
        let text = describe(error)
        return Mapped(error: .database(text), sqlState: nil, detail: text)
    }

    /// A client-side failure: the code and the underlying error (postgres-nio's own description hides both, so
    /// that queries and binds cannot leak into logs).
    static func describe(_ error: PSQLError) -> String {
        var text: String
        switch error.code {
        case .sslUnsupported:
            text = "the server does not accept TLS; add ?sslmode=disable to the URL or enable ssl on the server"
        case .connectionError:
            text = "cannot connect"
        case .serverClosedConnection, .clientClosedConnection, .uncleanShutdown:
            text = "the connection was lost (\(error.code))"
        case .poolClosed:
            text = "the connection pool is closed"
        case .authMechanismRequiresPassword:
            text = "the server asks for a password; put one in the URL (postgres://USER:PASSWORD@…)"
        default:
            text = "\(error.code)"
        }
        if let underlying = error.underlying {
            text += ": \(underlying)"
        }
        return text
    }
}

/// Cells as `SQLValue`s, by their PostgreSQL type.
enum PostgresValues {
    static func decode(_ cell: PostgresCell) throws(ControlPlaneError) -> SQLValue {
        guard var bytes = cell.bytes else {
            return .null
        }
        do {
            switch cell.dataType {
            case .int2, .int4, .int8:
                return .integer(try cell.decode(Int64.self))
            case .oid where cell.format == .binary:
                guard let oid = bytes.readInteger(as: UInt32.self) else {
                    throw PostgresDecodingError.Code.failure
                }
                return .integer(Int64(oid))
            case .float4, .float8:
                return .real(try cell.decode(Double.self))
            case .numeric:
                return .real(NSDecimalNumber(decimal: try cell.decode(Decimal.self)).doubleValue)
            case .bool:
                return .integer(try cell.decode(Bool.self) ? 1 : 0)
            case .timestamp, .timestamptz:
                // The store keeps times as seconds since 1970; a PostgreSQL timestamp (now(), say) reads the same.
                return .real(try cell.decode(Date.self).timeIntervalSince1970)
            case .void:
                // What `SELECT pg_advisory_xact_lock(…)` returns.
                return .null
            case .bytea:
                let hex = bytes.readableBytesView.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
                return .text("\\x" + hex)
            case .text, .varchar, .bpchar, .name, .char, .unknown, .json, .jsonb, .uuid, .xml:
                return .text(try cell.decode(String.self))
            case let type where type.rawValue >= 16_384:
                // Types made by CREATE TYPE or extensions (enums, citext) send their text.
                return .text(try cell.decode(String.self))
            default:
                throw ControlPlaneError(
                    .internalError,
                    "column \(cell.columnName) has the PostgreSQL type \(cell.dataType), which the store does not "
                        + "read; cast it to TEXT, BIGINT or DOUBLE PRECISION in the query")
            }
        } catch let error as ControlPlaneError {
            throw error
        } catch {
            throw .corrupt("column \(cell.columnName) of type \(cell.dataType): \(error)")
        }
    }
}

extension String {
    fileprivate func leftPadded(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}
