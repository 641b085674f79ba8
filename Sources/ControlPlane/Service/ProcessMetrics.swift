import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import Synchronization

/// The process's swift-metrics (what the agent and the sandbox record) in Prometheus form.
public enum ProcessMetrics {
    private static let bootstrapped = Atomic<Bool>(false)

    /// Makes `registry` the process's swift-metrics backend, so what the agent and the sandbox record through
    /// swift-metrics (jobs, steps, sandbox set-up, failures) is scraped with it. swift-metrics takes one
    /// backend per process: the first call wins and later ones do nothing.
    public static func collect(into registry: PrometheusCollectorRegistry) {
        guard bootstrapped.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
        else { return }
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    }
}

/// `GET /metrics` alone, for a process that is not a control plane (`crucible agent --metrics-listen`): the
/// process's swift-metrics, in Prometheus text format.
public enum MetricsEndpoint {
    /// Also makes a fresh registry the process's swift-metrics backend.
    public static func application(host: String, port: Int, logger: Logger) -> some ApplicationProtocol {
        let registry = PrometheusCollectorRegistry()
        ProcessMetrics.collect(into: registry)
        let router = Router()
        router.get("/metrics") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: registry.emitToString())))
        }
        return Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "crucible-agent"),
            logger: logger)
    }
}
