import ControlPlane
import Foundation
import Logging

/// The PostgreSQL server the tests run against. `make test` starts one with `scripts/start-postgres.sh` and puts
/// its URL in `CRUCIBLE_TEST_POSTGRES_URL`.
enum TestPostgres {
    static let environmentVariable = "CRUCIBLE_TEST_POSTGRES_URL"

    struct NotConfigured: Error, CustomStringConvertible {
        var description: String {
            "\(TestPostgres.environmentVariable) is not set, so there is no PostgreSQL to test against: run "
                + "`make test`, or `export \(TestPostgres.environmentVariable)=$(bash scripts/start-postgres.sh)` "
                + "(as root) before `swift test`"
        }
    }

    /// The server's URL. Throws when the variable is unset, which fails the test that asked: a PostgreSQL test
    /// that skipped itself would pass without having tested anything.
    static var url: String {
        get throws {
            guard let url = ProcessInfo.processInfo.environment[environmentVariable], !url.isEmpty else {
                throw NotConfigured()
            }
            return url
        }
    }

    /// Quiet by default; `CRUCIBLE_TEST_LOG=debug` (or trace, info…) shows the driver's log on standard error.
    static var logger: Logger {
        let level = ProcessInfo.processInfo.environment["CRUCIBLE_TEST_LOG"].flatMap(Logger.Level.init(rawValue:))
        guard let level else {
            return Logger(label: "crucible.test.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
        }
        var logger = Logger(label: "crucible.test.postgres", factory: { StreamLogHandler.standardError(label: $0) })
        logger.logLevel = level
        return logger
    }

    /// Runs `body` with a running database and a schema of its own (a fresh name, so tests can run in parallel),
    /// and drops the schema afterwards whether `body` passed or not.
    static func withSchema(
        maximumConnections: Int = 8,
        _ body: (PostgresDatabase, _ schema: String) async throws -> Void
    ) async throws {
        let schema = "crucible_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try await PostgresDatabase.withDatabase(url: url, logger: logger, maximumConnections: maximumConnections) {
            database in
            _ = try await database.transaction { try await $0.query("CREATE SCHEMA \(schema)") }
            do {
                try await body(database, schema)
            } catch {
                _ = try? await database.transaction { try await $0.query("DROP SCHEMA \(schema) CASCADE") }
                throw error
            }
            _ = try await database.transaction { try await $0.query("DROP SCHEMA \(schema) CASCADE") }
        }
    }
}
