import ArgumentParser
import ControlPlane
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// `crucible controlplane`: the HTTP API service on its own (agents connect to it over the network).
struct ControlPlaneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "controlplane",
        abstract: "Run the control plane: the HTTP API that takes runs and leases jobs to agents.",
        discussion: """
            State lives in SQLite under --data (default ./crucible-data) or in PostgreSQL (--database), which \
            several replicas may share. On first start an admin token is written to DIR/admin.token (mode 0600) \
            unless CRUCIBLE_ADMIN_TOKEN is set. SIGTERM or SIGINT: stop accepting, finish requests, close the store.
            """)

    @OptionGroup var storeOptions: StoreOptions
    @Option(help: "Address to serve on (HOST:PORT).")
    var listen = ListenAddress(host: "127.0.0.1", port: 7700)
    @Option(help: "Close event streams after this many seconds; clients resume with Last-Event-ID.")
    var streamLimit: Int = 300
    @Option(help: "Seconds a lease lives without a heartbeat (agents heartbeat every third of it).")
    var leaseTTL: Double = 30

    func validate() throws {
        guard leaseTTL >= 3 && leaseTTL <= 3600 else {
            throw ValidationError("--lease-ttl \(leaseTTL): give 3 to 3600 seconds")
        }
        guard (1...86_400).contains(streamLimit) else {
            throw ValidationError("--stream-limit \(streamLimit): give 1 to 86400 seconds")
        }
    }

    func run() async throws {
        let logger = CLILogging.logger("crucible.controlplane", defaultLevel: .info)
        try await ServiceRunner.run(logger: logger) {
            var settings = StoreSettings()
            settings.leaseTTLS = leaseTTL
            settings.heartbeatIntervalS = leaseTTL / 3
            let opened = try await ControlPlaneRuntime.openStore(
                storeOptions.location, settings: settings, logger: logger)
            return (opened.store, opened.services, storeOptions.dataDirectory)
        } services: { store, _ in
            let server = ControlPlaneServer(
                store: store, logger: logger, maxStreamDuration: .seconds(streamLimit),
                rules: ToolchainRules.load(logger: logger))
            let app = server.application(host: listen.host, port: listen.port, logger: logger) { port in
                print("crucible control plane listening on http://\(listen.host):\(port)")
                fflush(nil)  // all streams: piped output must show the URL at once
            }
            return [app]
        }
    }
}

/// Opens a store, migrates it, makes sure an admin token exists, runs services until a signal, and closes the
/// store last. Failures to start exit 125 with the reason; bad configuration exits 2.
enum ServiceRunner {
    static func run(
        logger: Logger,
        open: () async throws -> (Store, [any Service], String?),
        services: (Store, String?) async throws -> [any Service]
    ) async throws {
        let store: Store
        let storeServices: [any Service]
        let directory: String?
        do {
            (store, storeServices, directory) = try await open()
        } catch let error as ControlPlaneError {
            printError("crucible: \(error)")
            throw ExitCode(2)
        }
        do {
            // The database's pool runs around everything, migrations included.
            try await ControlPlaneRuntime.withServices(storeServices, logger: logger) {
                try await store.migrate()
                let tokenFile = try await ControlPlaneRuntime.ensureAdminToken(
                    store: store, dataDirectory: directory,
                    environmentToken: ProcessEnvironment.value("CRUCIBLE_ADMIN_TOKEN"))
                if let tokenFile {
                    print("admin token: \(tokenFile)")
                    fflush(nil)  // all streams: piped output must show the URL at once
                }
                let main = ServiceGroup(
                    configuration: ServiceGroupConfiguration(
                        services: try await services(store, directory).map {
                            ServiceGroupConfiguration.ServiceConfiguration(service: $0)
                        },
                        gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
                try await main.run()
                await store.database.close()
            }
        } catch let error as ControlPlaneError {
            await store.database.close()
            printError("crucible: \(error)")
            throw ExitCode(125)
        }
    }
}
