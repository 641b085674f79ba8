import Agent
import ArgumentParser
import AsyncHTTPClient
import ControlPlane
import Foundation
import Logging
import Sandbox
import ServiceLifecycle

/// The embedded appliance: a control plane on SQLite and a local agent, in one process (`crucible up`,
/// `crucible demo`). SIGTERM or SIGINT drains the agent, stops the server, and closes the store last.
struct Appliance {
    var dataDirectory: String
    var listen: ListenAddress
    var slots: Int?
    var policy: SandboxPolicy
    var logger: Logger

    /// What a foreground task gets while the appliance runs.
    struct Running: Sendable {
        var url: String
        var adminToken: String
        var store: Store
        var http: HTTPClient
    }

    /// Runs until a signal; or, with `foreground`, until it returns, then shuts everything down in order.
    /// `onReady` runs once the API answers.
    func run(
        onReady: @escaping @Sendable (Running) async -> Void = { _ in },
        foreground: (@Sendable (Running) async throws -> Void)? = nil
    ) async throws {
        let opened: (store: Store, services: [any Service])
        do {
            opened = try await ControlPlaneRuntime.openStore(.directory(dataDirectory), logger: logger)
            try await opened.store.migrate()
        } catch let error as ControlPlaneError {
            printError("crucible: \(error)")
            throw ExitCode(2)
        }
        let store = opened.store
        let environmentToken = ProcessEnvironment.value("CRUCIBLE_ADMIN_TOKEN")
        let tokenFile = try await ControlPlaneRuntime.ensureAdminToken(
            store: store, dataDirectory: dataDirectory, environmentToken: environmentToken)
        let token =
            environmentToken
            ?? (tokenFile.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) } ?? "")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let url = "http://\(listen.host.contains(":") ? "[\(listen.host)]" : listen.host):\(listen.port)"
        let server = ControlPlaneServer(store: store, logger: logger, rules: ToolchainRules.load(logger: logger))
        // The local agent's and the sandboxes' metrics on the same /metrics.
        server.collectProcessMetrics()
        // The local agent starts once the server has its port: if the bind fails, an agent already running would
        // be talking to whatever else answers on that port, leasing jobs there that nobody runs.
        let (serverRunning, serverStarted) = AsyncStream.makeStream(of: Void.self)
        let app = server.application(
            host: listen.host, port: listen.port, logger: logger,
            onServerRunning: { _ in
                serverStarted.yield()
                serverStarted.finish()
            })
        let logger = logger
        let slots = slots
        let policy = policy
        let dataDirectory = dataDirectory
        try await ControlPlaneClient.withHTTPClient { http in
            let agent = try await LocalAgent.make(
                // Delivering is a call into this process: only a result that could not be delivered is spooled.
                settings: LocalAgent.Settings(
                    name: "local", slots: slots, spoolDirectory: dataDirectory + "/agent", leaseWait: .seconds(10),
                    spoolMode: .whenUndelivered),
                policy: policy, controlPlane: url, token: token, http: http,
                transport: InProcessTransport(api: InProcessAPI(server: server, logger: logger)), logger: logger)
            let localAgent = AfterServerStarts(started: serverRunning, service: agent)
            let group = ServiceGroup(
                configuration: ServiceGroupConfiguration(
                    services: [.init(service: app), .init(service: localAgent)],
                    gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                let running = Running(url: url, adminToken: token, store: store, http: http)
                if let foreground {
                    do {
                        try await Self.waitUntilReady(url: url, http: http)
                        await onReady(running)
                        try await foreground(running)
                    } catch {
                        await group.triggerGracefulShutdown()
                        try? await tasks.waitForAll()
                        await store.database.close()
                        throw error
                    }
                    await group.triggerGracefulShutdown()
                } else {
                    tasks.addTask {
                        try await Self.waitUntilReady(url: url, http: http)
                        await onReady(running)
                    }
                }
                try await tasks.waitForAll()
            }
        }
        await store.database.close()
    }

    /// Waits for the server to answer `/readyz` (a few hundred milliseconds after start).
    static func waitUntilReady(url: String, http: HTTPClient) async throws {
        for _ in 0..<100 {
            if let response = try? await http.execute(HTTPClientRequest(url: url + "/readyz"), timeout: .seconds(1)),
                response.status == .ok
            {
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        printError("crucible: the control plane did not come up on \(url)")
        throw ExitCode(125)
    }

    /// A port free right now on loopback, for an appliance nobody else needs to find.
    static func freePort() -> Int {
        LoopbackPort.unused() ?? 7700
    }
}

/// Runs `service` once the server has started (`started` yields), and not at all if it never does.
struct AfterServerStarts: Service {
    let started: AsyncStream<Void>
    let service: any Service

    func run() async throws {
        // Cancelled by a graceful shutdown while it waits: the service never ran, so there is nothing to drain.
        let didStart = try await cancelWhenGracefulShutdown {
            var iterator = started.makeAsyncIterator()
            return await iterator.next() != nil
        }
        guard didStart, !Task.isCancelled else { return }
        try await service.run()
    }
}
