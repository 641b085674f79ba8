import CrucibleAPI
import Foundation
import Prometheus

/// The control plane's Prometheus metrics. Request metrics are recorded as requests finish; job and agent
/// gauges are read from the store when `/metrics` is scraped, so every replica reports the cluster's truth.
public final class ControlPlaneMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let leaseLatency: DurationHistogram
    private let buckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
        .seconds(30),
    ]

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        leaseLatency = registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(
                namespace: "crucible", metricName: "lease_latency", unitName: "seconds",
                helpText: "Time to lease jobs to an agent that found work, without the long-poll wait"),
            labels: [], buckets: buckets)
    }

    func request(operation: String, method: String, status: Int, duration: Duration) {
        let labels = [("operation", operation), ("method", method), ("status", String(status))]
        registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "crucible", metricName: "http_requests", unitName: "total",
                helpText: "HTTP requests by API operation and status"), labels: labels
        ).increment()
        registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(
                namespace: "crucible", metricName: "http_request_duration", unitName: "seconds",
                helpText: "HTTP request latency by API operation"),
            labels: [("operation", operation)], buckets: buckets
        ).record(duration)
    }

    func leased(duration: Duration) {
        leaseLatency.record(duration)
    }

    /// Refreshes the gauges that come from the store.
    func refresh(from store: Store) async throws {
        let snapshot = try await store.gaugeSnapshot()
        for state in JobState.allCases {
            gauge("jobs", "Jobs by state", [("state", state.rawValue)]).set(Double(snapshot.jobsByState[state] ?? 0))
        }
        for (runID, depth) in snapshot.queueDepthByRun {
            gauge("queue_depth", "Queued jobs per run", [("run", runID)]).set(Double(depth))
        }
        gauge("agents_connected", "Agents that heartbeat within three intervals", []).set(
            Double(snapshot.agentsConnected))
    }

    private func gauge(_ name: String, _ help: String, _ labels: [(String, String)]) -> Gauge {
        registry.makeGauge(
            descriptor: MetricNameDescriptor(namespace: "crucible", metricName: name, helpText: help), labels: labels)
    }

    func exposition() -> String {
        registry.emitToString()
    }
}
