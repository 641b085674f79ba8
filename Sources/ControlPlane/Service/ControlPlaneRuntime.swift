import CrucibleAPI
import Foundation
import Logging
import ServiceLifecycle

/// Opening a control plane's store, and the admin token an operator starts with.
public enum ControlPlaneRuntime {
    public static let databaseFile = "crucible.db"
    public static let adminTokenFile = "admin.token"

    /// The store at `location`, migrated, plus the services its database needs running (a connection pool).
    public static func openStore(
        _ location: StoreLocation, settings: StoreSettings = StoreSettings(), logger: Logger
    ) async throws -> (store: Store, services: [any Service]) {
        let database: any SQLDatabase
        var services: [any Service] = []
        switch location {
        case .directory(let directory):
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw ControlPlaneError.configuration(
                    "cannot create the data directory \(directory): \(error.localizedDescription); pick another --data")
            }
            database = try SQLiteDatabase(path: directory + "/" + databaseFile, logger: logger)
        case .postgres(let url):
            let postgres = try PostgresDatabase(url: url, logger: logger)
            services.append(postgres)
            database = postgres
        }
        let store = Store(database: database, settings: settings, logger: logger)
        return (store, services)
    }

    /// Makes sure an admin token exists. With `CRUCIBLE_ADMIN_TOKEN` set, that secret is the admin's; else
    /// the first start writes a new one to DIR/admin.token (mode 0600) and later starts reuse it. Returns the
    /// file written or reused, if any.
    @discardableResult
    public static func ensureAdminToken(
        store: Store, dataDirectory: String?, environmentToken: String?
    ) async throws -> String? {
        if let secret = environmentToken, !secret.isEmpty {
            if try await !store.hasToken(secret: secret) {
                _ = try await store.createToken(role: .admin, tenant: "default", name: "admin", secret: secret)
            }
            return nil
        }
        guard let dataDirectory else {
            return nil
        }
        let path = dataDirectory + "/" + adminTokenFile
        if let existing = try? String(contentsOfFile: path, encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines), !existing.isEmpty
        {
            if try await !store.hasToken(secret: existing) {
                _ = try await store.createToken(role: .admin, tenant: "default", name: "admin", secret: existing)
            }
            return path
        }
        let issued = try await store.createToken(role: .admin, tenant: "default", name: "admin")
        try writePrivately(issued.secret + "\n", to: path)
        return path
    }

    /// Writes a secret readable by its owner only, atomically: no moment where the file exists half-written
    /// or with a wider mode.
    static func writePrivately(_ text: String, to path: String) throws {
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw ControlPlaneError.configuration("cannot write \(temporary): errno \(errno); check the data directory")
        }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd)
        close(fd)
        guard written == bytes.count, synced == 0, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw ControlPlaneError.configuration("cannot write \(path): errno \(errno); check the data directory")
        }
    }
}

extension ControlPlaneRuntime {
    /// Runs `body` while `services` (a database pool) run, then shuts them down.
    public static func withServices<T: Sendable>(
        _ services: [any Service], logger: Logger, _ body: () async throws -> T
    ) async throws -> T {
        guard !services.isEmpty else {
            return try await body()
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) }, logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                let value = try await body()
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return value
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }
}
