import CrucibleAPI
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// Where the control plane keeps its state.
public enum StoreLocation: Sendable {
    /// SQLite in this directory (created if needed): the embedded default.
    case directory(String)
    /// PostgreSQL, for several replicas.
    case postgres(String)
}

/// The control plane as one service: the HTTP API on Hummingbird plus the lease reaper, run under
/// swift-service-lifecycle. On SIGTERM the server stops accepting, finishes requests in flight, and the
/// store closes last.
public struct ControlPlaneServer: Sendable {
    public let api: ControlPlaneAPI
    public let store: Store

    /// `rules`: the toolchains' rules for tasks and candidates, checked when a run or a task arrives.
    public init(
        store: Store, logger: Logger, maxStreamDuration: Duration = .seconds(300),
        rules: (any SubmissionRules)? = nil
    ) {
        self.store = store
        api = ControlPlaneAPI(
            store: store, metrics: ControlPlaneMetrics(), bell: EventBell(), logger: logger,
            maxStreamDuration: maxStreamDuration, rules: rules)
    }

    /// Serves the process's swift-metrics (a local agent's, the sandbox's) on this server's `/metrics` too.
    public func collectProcessMetrics() {
        ProcessMetrics.collect(into: api.metrics.registry)
    }

    /// The router with every route; tests drive it with Hummingbird's test client.
    public func router() -> Router<ControlPlaneContext> {
        let router = Router(context: ControlPlaneContext.self)
        router.add(middleware: JSONErrorMiddleware())
        api.register(on: router)
        return router
    }

    /// The HTTP application and the background services it needs. `onServerRunning` gets the bound port
    /// (useful with port 0).
    public func application(
        host: String, port: Int, logger: Logger, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        var app = Application(
            router: router(),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "crucible"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger)
        app.addServices(LeaseReaper(store: store, bell: api.bell, logger: logger))
        return app
    }
}

/// Turns the router's own errors (no such route, wrong method) into the API's JSON error shape.
struct JSONErrorMiddleware: RouterMiddleware {
    typealias Context = ControlPlaneContext

    func handle(
        _ request: Request, context: ControlPlaneContext,
        next: (Request, ControlPlaneContext) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPResponseError {
            let code: ErrorCode =
                switch error.status {
                case .notFound: .notFound
                case .contentTooLarge: .tooLarge
                case .methodNotAllowed: "method_not_allowed"
                default: error.status.code >= 500 ? .internalError : .invalidRequest
                }
            let message =
                error.status == .notFound
                ? "no route \(request.method.rawValue) \(request.uri.path); see controlplane/openapi.yaml"
                : "\(error.status.reasonPhrase)"
            var response = HTTPSupport.error(ControlPlaneError(code, message))
            response.status = error.status
            return response
        }
    }
}

/// Requeues the jobs of agents that stopped heartbeating, once a second. Several replicas may run it at
/// once: the store's conditional updates make each expiry happen once.
struct LeaseReaper: Service {
    let store: Store
    let bell: EventBell
    let logger: Logger

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let expired = try await store.expireLeases()
                if expired > 0 {
                    logger.warning("leases expired; jobs requeued", metadata: ["jobs": "\(expired)"])
                    await bell.ring()
                }
            } catch {
                logger.error("lease expiry failed", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }
}
