import CrucibleAPI
import Foundation

// The task bank, per tenant. Uploading a task again with the same content is a no-op; with different
// content it is refused (409): results already scored against a task must keep meaning what they meant.

extension Store {
    public func putTasks(_ tasks: [TaskSpec], tenant: String) async throws -> [String] {
        let created = now()
        let encoded = try tasks.map { try Self.encode($0) }
        return try await database.transaction { connection in
            for (index, task) in tasks.enumerated() {
                let existing = try await connection.query(
                    "SELECT spec FROM tasks WHERE tenant = ? AND id = ?", tenant, task.id)
                if let row = existing.first {
                    guard try Self.decode(TaskSpec.self, try row.string("spec")) == task else {
                        throw ControlPlaneError(
                            .duplicateID,
                            "task \"\(task.id)\" is already in the bank with other content; give the new version a new id",
                            field: tasks.count == 1 ? "id" : "tasks[\(index)].id")
                    }
                    continue
                }
                try await connection.query(
                    """
                    INSERT INTO tasks (tenant, id, language, scenario, difficulty, spec, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                    tenant, task.id, task.language.rawValue, task.scenario.rawValue, task.difficulty.rawValue,
                    encoded[index], created)
            }
            return tasks.map(\.id)
        }
    }

    public struct TaskQuery: Sendable {
        public var language: String?
        public var scenario: String?
        public var difficulty: String?
        public var limit: Int = 1000

        public init(language: String? = nil, scenario: String? = nil, difficulty: String? = nil, limit: Int = 1000) {
            self.language = language
            self.scenario = scenario
            self.difficulty = difficulty
            self.limit = limit
        }
    }

    public func listTasks(tenant: String, query: TaskQuery = TaskQuery()) async throws -> [TaskSpec] {
        var sql = "SELECT spec FROM tasks WHERE tenant = ?"
        var binds: [SQLValue] = [.text(tenant)]
        for (column, value) in [
            ("language", query.language), ("scenario", query.scenario), ("difficulty", query.difficulty),
        ] {
            if let value {
                sql += " AND \(column) = ?"
                binds.append(.text(value))
            }
        }
        sql += " ORDER BY id LIMIT ?"
        binds.append(.integer(Int64(query.limit)))
        let rows = try await database.read { try await $0.query(sql, binds) }
        return try rows.map { row throws(ControlPlaneError) in try Self.decode(TaskSpec.self, try row.string("spec")) }
    }
}
