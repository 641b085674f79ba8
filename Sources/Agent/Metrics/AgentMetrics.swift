import CrucibleAPI
import Metrics

/// The agent's metrics, through swift-metrics: whatever backend the process bootstrapped (the control plane's
/// Prometheus registry under `crucible up`) collects them; without one they cost nothing.
struct AgentMetrics: Sendable {
    /// Jobs evaluating right now.
    let jobsRunning = Gauge(label: "crucible_agent_jobs_running")
    /// Jobs leased ahead, waiting for a slot.
    let jobsWaiting = Gauge(label: "crucible_agent_jobs_waiting")
    /// Completions written but not yet accepted by the control plane.
    let spoolDepth = Gauge(label: "crucible_agent_spool_depth")
    /// Jobs leased to this agent.
    let leasesTaken = Counter(label: "crucible_agent_leases_total")
    /// From lease to result, per job.
    let jobDuration = Timer(label: "crucible_agent_job_duration_seconds", preferredDisplayUnit: .seconds)
    /// Every sandbox (one per step), whatever the step.
    let sandboxDuration = Timer(label: "crucible_agent_sandbox_duration_seconds", preferredDisplayUnit: .seconds)

    /// Wall time of each step, by step name.
    func stepDuration(_ step: StepName) -> Timer {
        Timer(
            label: "crucible_agent_step_duration_seconds", dimensions: [("step", step.rawValue)],
            preferredDisplayUnit: .seconds)
    }

    /// Jobs finished, by verdict.
    func jobFinished(_ verdict: Verdict) {
        Counter(label: "crucible_agent_jobs_total", dimensions: [("verdict", verdict.rawValue)]).increment()
    }

    /// Something went wrong; `kind` says what (see `FailureKind`).
    func failure(_ kind: FailureKind) {
        Counter(label: "crucible_agent_failures_total", dimensions: [("kind", kind.rawValue)]).increment()
    }

    enum FailureKind: String {
        /// A job came back `errored`: the node or toolchain failed it.
        case jobErrored = "job_errored"
        /// The control plane revoked a lease while its job ran.
        case leaseRevoked = "lease_revoked"
        /// A completion came back 409: the lease had gone stale.
        case staleLease = "stale_lease"
        /// The control plane refused a completion for good (kept in spool/rejected).
        case completionRejected = "completion_rejected"
        case completionRetry = "completion_retry"
        case heartbeat
        case lease
        case events
        case spool
        case referenceMeasurement = "reference_measurement"
        case register
    }
}
