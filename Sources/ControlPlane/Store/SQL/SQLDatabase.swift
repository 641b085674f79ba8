import Foundation

// The one storage protocol of the control plane. The store's logic (runs, leases, events, tokens) is written once,
// in `Store`, against this small interface; SQLite (embedded) and PostgreSQL (clusters) implement it. Both are
// real databases, so the one contract suite in the tests exercises every query on both.
//
// Statements use `?` placeholders; a driver rewrites them to its own form. Values are the four kinds both
// databases share. Timestamps are seconds since 1970 as REAL; JSON documents are TEXT.

public enum SQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
}

public protocol SQLBindable {
    var sqlValue: SQLValue { get }
}

extension Int: SQLBindable { public var sqlValue: SQLValue { .integer(Int64(self)) } }
extension Int64: SQLBindable { public var sqlValue: SQLValue { .integer(self) } }
extension Double: SQLBindable { public var sqlValue: SQLValue { .real(self) } }
extension String: SQLBindable { public var sqlValue: SQLValue { .text(self) } }
extension Bool: SQLBindable { public var sqlValue: SQLValue { .integer(self ? 1 : 0) } }
extension Date: SQLBindable { public var sqlValue: SQLValue { .real(timeIntervalSince1970) } }
extension Optional: SQLBindable where Wrapped: SQLBindable {
    public var sqlValue: SQLValue { self?.sqlValue ?? .null }
}

/// One row of a result, read by column name.
public struct SQLRow: Sendable {
    public let columns: [String: Int]
    public let values: [SQLValue]

    public init(columns: [String: Int], values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    public subscript(_ name: String) -> SQLValue {
        guard let index = columns[name], index < values.count else {
            return .null
        }
        return values[index]
    }

    public func int(_ name: String) throws(ControlPlaneError) -> Int {
        switch self[name] {
        case .integer(let value): return Int(value)
        case .real(let value): return Int(value)
        case .text(let text): if let value = Int(text) { return value }
        case .null: break
        }
        throw ControlPlaneError.corrupt("column \(name) is not an integer")
    }

    public func optionalInt(_ name: String) throws(ControlPlaneError) -> Int? {
        if case .null = self[name] { return nil }
        return try int(name)
    }

    public func double(_ name: String) throws(ControlPlaneError) -> Double {
        switch self[name] {
        case .real(let value): return value
        case .integer(let value): return Double(value)
        case .text(let text): if let value = Double(text) { return value }
        case .null: break
        }
        throw ControlPlaneError.corrupt("column \(name) is not a number")
    }

    public func optionalDouble(_ name: String) throws(ControlPlaneError) -> Double? {
        if case .null = self[name] { return nil }
        return try double(name)
    }

    public func string(_ name: String) throws(ControlPlaneError) -> String {
        if case .text(let text) = self[name] {
            return text
        }
        throw ControlPlaneError.corrupt("column \(name) is not text")
    }

    public func optionalString(_ name: String) throws(ControlPlaneError) -> String? {
        if case .null = self[name] { return nil }
        return try string(name)
    }

    public func date(_ name: String) throws(ControlPlaneError) -> Date {
        Date(timeIntervalSince1970: try double(name))
    }

    public func optionalDate(_ name: String) throws(ControlPlaneError) -> Date? {
        try optionalDouble(name).map { Date(timeIntervalSince1970: $0) }
    }

    public func bool(_ name: String) throws(ControlPlaneError) -> Bool {
        try int(name) != 0
    }
}

/// What differs between the two databases, and nothing else.
public enum SQLDialect: Sendable {
    case sqlite
    case postgres

    /// Row locks for the lease query. SQLite has none to take: `BEGIN IMMEDIATE` already serialises writers.
    /// PostgreSQL replicas skip rows another replica is leasing instead of waiting for them.
    public var lockSkippingLocked: String {
        switch self {
        case .sqlite: ""
        case .postgres: " FOR UPDATE SKIP LOCKED"
        }
    }

    /// An auto-incrementing primary key column.
    public var serialPrimaryKey: String {
        switch self {
        case .sqlite: "INTEGER PRIMARY KEY AUTOINCREMENT"
        case .postgres: "BIGSERIAL PRIMARY KEY"
        }
    }
}

/// A connection inside one transaction. Not shared between tasks.
public protocol SQLConnection {
    @discardableResult
    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow]
}

extension SQLConnection {
    @discardableResult
    public func query(_ sql: String, _ binds: any SQLBindable...) async throws -> [SQLRow] {
        try await query(sql, binds.map(\.sqlValue))
    }
}

public protocol SQLDatabase: Sendable {
    var dialect: SQLDialect { get }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws. A driver may run
    /// `body` again after a serialisation failure or deadlock, so it must not have effects outside the database.
    func transaction<T: Sendable>(_ body: (any SQLConnection) async throws -> T) async throws -> T

    /// A read that needs no transaction of its own (a consistent snapshot is still guaranteed per statement).
    func read<T: Sendable>(_ body: (any SQLConnection) async throws -> T) async throws -> T

    /// Closes every connection; later calls fail.
    func close() async
}
