import CrucibleAPI
import Foundation

/// How a `NodeAgent` runs: its name and capacity, where it spools, and the protocol's timings.
public struct NodeAgentConfiguration: Sendable {
    /// The node's name in `GET /v1/nodes` (an id: letters, digits, `.`, `_`, `-`).
    public var name: String
    /// Jobs run at once.
    public var slots: Int
    /// The first sandbox slot; job `i` of `slots` runs in slot `slotBase + i`, so each concurrent job has its
    /// own host uid. Give two agents in one process (or next to `crucible policy check`) disjoint ranges.
    public var slotBase: Int
    /// The operator's labels (`--labels`); the node's facts are added under `crucible.` names.
    public var labels: [String: String]
    public var inventory: NodeInventory
    /// Completions wait here until the control plane has them; reference times are kept here too.
    public var spoolDirectory: String
    /// When completions are written to the spool: before sending, flushed (`crucible agent`), or only those
    /// not delivered at once (`crucible up`, whose control plane is in the same process).
    public var spoolMode: SpoolMode
    /// How long one lease request may wait for a job (the long poll).
    public var leaseWait: Duration
    /// The longest a progress event waits before it is sent (the batching window).
    public var eventDelay: Duration
    /// The agent's version, reported at registration.
    public var version: String
    /// Measure each task's reference solution on this node for the efficiency score.
    public var measureReferenceTimes: Bool
    /// While this node's jobs take less than this on average, the agent leases one job per slot ahead, to
    /// start the moment a slot is free instead of after a lease's round trip. Longer jobs gain nothing from
    /// it and would keep a job waiting here that an idle node could run. `.zero`: never lease ahead.
    public var leaseAheadBelow: Duration

    public init(
        name: String, slots: Int, inventory: NodeInventory, spoolDirectory: String, labels: [String: String] = [:],
        slotBase: Int = 0, leaseWait: Duration = .seconds(30), eventDelay: Duration = .milliseconds(250),
        version: String = NodeAgent.version, measureReferenceTimes: Bool = true,
        leaseAheadBelow: Duration = .seconds(2), spoolMode: SpoolMode = .beforeSending
    ) {
        self.name = name
        self.slots = slots
        self.slotBase = slotBase
        self.labels = labels
        self.inventory = inventory
        self.spoolDirectory = spoolDirectory
        self.leaseWait = leaseWait
        self.eventDelay = eventDelay
        self.version = version
        self.measureReferenceTimes = measureReferenceTimes
        self.leaseAheadBelow = leaseAheadBelow
        self.spoolMode = spoolMode
    }

    /// The registration body, checked as the control plane will check it, so a bad flag fails at start
    /// with the flag named rather than as a 400 from the server.
    func registration() throws(AgentError) -> AgentRegistration {
        guard slots >= 1 else {
            throw .invalidInput("--slots \(slots): give at least 1", field: "slots")
        }
        guard slotBase >= 0 else {
            throw .invalidInput("the first sandbox slot must be 0 or more, not \(slotBase)", field: "slot-base")
        }
        let registration = AgentRegistration(
            name: name, slots: slots, labels: try inventory.labels(adding: labels),
            cgroupVersion: inventory.cgroupVersion, toolchains: inventory.toolchains, version: version)
        if let issue = registration.validationIssues().first {
            let flag =
                switch issue.field?.split(separator: "[").first ?? "" {
                case "name": "--name"
                case "slots": "--slots"
                case "labels": "--labels"
                default: issue.field ?? "registration"
                }
            throw .invalidInput("\(flag): \(issue.message)", field: issue.field)
        }
        return registration
    }

    /// This host's name, made into a valid node name.
    public static func defaultName() -> String {
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? ""
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        var name = String(host.map { allowed.contains($0) ? $0 : "-" }.prefix(100))
        while let first = name.first, !first.isLetter && !first.isNumber { name.removeFirst() }
        return name.isEmpty ? "node" : name
    }
}
