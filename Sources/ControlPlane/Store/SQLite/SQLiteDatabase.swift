import CSQLite
import Foundation
import Logging

/// The embedded store: one SQLite file in WAL mode. Writers are serialised by one connection and an async lock
/// (SQLite allows one writer anyway); readers use their own connections, so reads never wait for a write.
///
/// SQLite calls are short and synchronous. They run on the calling task's thread: a statement takes
/// microseconds, far less than handing it to another thread would.
public final class SQLiteDatabase: SQLDatabase {
    public let dialect = SQLDialect.sqlite
    public let path: String
    private let writer: SQLiteConnectionBox
    private let readers: [SQLiteConnectionBox]
    private let nextReader = Counter()
    private let logger: Logger

    /// Opens (creating if needed) the database file at `path`.
    public init(path: String, readers readerCount: Int = 2, logger: Logger) throws(ControlPlaneError) {
        self.path = path
        self.logger = logger
        writer = SQLiteConnectionBox(try RawSQLiteConnection(path: path, readOnly: false))
        var readers: [SQLiteConnectionBox] = []
        for _ in 0..<max(1, readerCount) {
            readers.append(SQLiteConnectionBox(try RawSQLiteConnection(path: path, readOnly: true)))
        }
        self.readers = readers
    }

    public func transaction<T: Sendable>(_ body: (any SQLConnection) async throws -> T) async throws -> T {
        try await writer.withConnection { connection in
            try connection.execute("BEGIN IMMEDIATE")
            do {
                let value = try await body(connection)
                try connection.execute("COMMIT")
                return value
            } catch {
                try? connection.execute("ROLLBACK")
                throw error
            }
        }
    }

    public func read<T: Sendable>(_ body: (any SQLConnection) async throws -> T) async throws -> T {
        let box = readers[nextReader.next() % readers.count]
        return try await box.withConnection { connection in
            // One read transaction, so every statement of `body` sees the same snapshot.
            try connection.execute("BEGIN")
            defer { try? connection.execute("COMMIT") }
            return try await body(connection)
        }
    }

    public func close() async {
        await writer.close()
        for reader in readers {
            await reader.close()
        }
    }
}

/// A thread-safe round-robin counter.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func next() -> Int {
        lock.withLock {
            value &+= 1
            return value & Int.max
        }
    }
}

/// One connection and the async lock that gives it to one task at a time.
private final class SQLiteConnectionBox: Sendable {
    private let connection: RawSQLiteConnection
    private let lock = AsyncLock()

    init(_ connection: RawSQLiteConnection) {
        self.connection = connection
    }

    func withConnection<T: Sendable>(_ body: (RawSQLiteConnection) async throws -> T) async throws -> T {
        await lock.acquire()
        do {
            guard connection.isOpen else {
                throw ControlPlaneError.database("the SQLite store is closed")
            }
            let value = try await body(connection)
            await lock.release()
            return value
        } catch {
            await lock.release()
            throw error
        }
    }

    func close() async {
        await lock.acquire()
        connection.close()
        await lock.release()
    }
}

/// A FIFO lock for async code: `acquire` suspends (never blocks a thread) until the holder releases.
actor AsyncLock {
    private var held = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func acquire() async {
        if held {
            await withCheckedContinuation { waiters.append($0) }
        } else {
            held = true
        }
    }

    /// Hands the lock straight to the next waiter, so nobody can slip in between.
    func release() {
        if waiters.isEmpty {
            held = false
        } else {
            waiters.removeFirst().resume()
        }
    }
}

private let transientDestructor = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A raw sqlite3 handle with a cache of prepared statements. Used by one task at a time (see the box).
final class RawSQLiteConnection: SQLConnection, @unchecked Sendable {
    private var handle: OpaquePointer?
    private var statements: [String: OpaquePointer] = [:]

    var isOpen: Bool { handle != nil }

    init(path: String, readOnly: Bool) throws(ControlPlaneError) {
        let flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX
        let status = sqlite3_open_v2(path, &handle, flags, nil)
        guard status == SQLITE_OK, handle != nil else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(handle)
            handle = nil
            throw ControlPlaneError.configuration(
                "cannot open the SQLite store \(path): \(message); check that the data directory exists and is writable"
            )
        }
        sqlite3_busy_timeout(handle, 10_000)
        do {
            if !readOnly {
                try execute("PRAGMA journal_mode = WAL")
                // WAL with NORMAL survives a crash of the process (not of the machine's power) without an fsync
                // per commit: the trade every embedded WAL store makes.
                try execute("PRAGMA synchronous = NORMAL")
            }
            try execute("PRAGMA foreign_keys = ON")
        } catch {
            close()
            throw ControlPlaneError.configuration("cannot set up the SQLite store \(path): \(error)")
        }
    }

    func close() {
        for statement in statements.values {
            sqlite3_finalize(statement)
        }
        statements = [:]
        if let handle {
            sqlite3_close_v2(handle)
        }
        handle = nil
    }

    deinit {
        close()
    }

    func execute(_ sql: String) throws(ControlPlaneError) {
        guard let handle else {
            throw ControlPlaneError.database("the SQLite store is closed")
        }
        var error: UnsafeMutablePointer<CChar>?
        if sqlite3_exec(handle, sql, nil, nil, &error) != SQLITE_OK {
            let message = error.map { String(cString: $0) } ?? "unknown error"
            sqlite3_free(error)
            throw Self.error(sqlite3_extended_errcode(handle), message, sql: sql)
        }
    }

    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        try run(sql, binds)
    }

    func run(_ sql: String, _ binds: [SQLValue]) throws(ControlPlaneError) -> [SQLRow] {
        guard let handle else {
            throw ControlPlaneError.database("the SQLite store is closed")
        }
        let (statement, cached) = try prepared(sql, handle)
        defer {
            if cached {
                sqlite3_reset(statement)
                sqlite3_clear_bindings(statement)
            } else {
                sqlite3_finalize(statement)
            }
        }
        for (offset, value) in binds.enumerated() {
            let index = Int32(offset + 1)
            switch value {
            case .null: sqlite3_bind_null(statement, index)
            case .integer(let number): sqlite3_bind_int64(statement, index, number)
            case .real(let number): sqlite3_bind_double(statement, index, number)
            case .text(let text): sqlite3_bind_text(statement, index, text, -1, transientDestructor)
            }
        }
        let count = sqlite3_column_count(statement)
        var columns: [String: Int] = [:]
        for index in 0..<count {
            columns[String(cString: sqlite3_column_name(statement, index))] = Int(index)
        }
        var rows: [SQLRow] = []
        while true {
            let status = sqlite3_step(statement)
            if status == SQLITE_DONE {
                break
            }
            guard status == SQLITE_ROW else {
                throw Self.error(sqlite3_extended_errcode(handle), String(cString: sqlite3_errmsg(handle)), sql: sql)
            }
            var values: [SQLValue] = []
            values.reserveCapacity(Int(count))
            for index in 0..<count {
                switch sqlite3_column_type(statement, index) {
                case SQLITE_INTEGER: values.append(.integer(sqlite3_column_int64(statement, index)))
                case SQLITE_FLOAT: values.append(.real(sqlite3_column_double(statement, index)))
                case SQLITE_NULL: values.append(.null)
                default:
                    if let text = sqlite3_column_text(statement, index) {
                        values.append(.text(String(cString: text)))
                    } else {
                        values.append(.null)
                    }
                }
            }
            rows.append(SQLRow(columns: columns, values: values))
        }
        return rows
    }

    /// A prepared statement and whether it stays in the cache (else the caller finalizes it).
    private func prepared(_ sql: String, _ handle: OpaquePointer) throws(ControlPlaneError) -> (OpaquePointer, Bool) {
        if let cached = statements[sql] {
            return (cached, true)
        }
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw Self.error(sqlite3_extended_errcode(handle), String(cString: sqlite3_errmsg(handle)), sql: sql)
        }
        // Statements built for a variable number of rows would grow the cache without end.
        guard statements.count < 256 else {
            return (statement, false)
        }
        statements[sql] = statement
        return (statement, true)
    }

    private static func error(_ code: Int32, _ message: String, sql: String) -> ControlPlaneError {
        let primary = code & 0xff
        if primary == SQLITE_CONSTRAINT {
            return ControlPlaneError.uniqueViolation(message)
        }
        return ControlPlaneError.database("SQLite error \(code): \(message) (in: \(sql.prefix(80)))")
    }
}
