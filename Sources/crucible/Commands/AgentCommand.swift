import Agent
import ArgumentParser
import ControlPlane
import CrucibleAPI
import Foundation
import Logging
import Sandbox
import ServiceLifecycle
import Toolchains

/// `crucible agent`: a node agent. Leases jobs from a control plane and runs each in sandboxes.
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Run a node agent: lease jobs from a control plane, run them in sandboxes, report the results.",
        discussion: """
            SIGTERM drains: no new jobs, the running ones finish and their results are delivered, then it exits 0.
            SIGINT stops at once: running jobs are abandoned and go back to the queue when their leases expire.
            Results wait in the spool directory until the control plane has them, across restarts.
            With --check it only reports whether this node can run sandboxes (and runs the hostile probes).
            Exit status: 0 stopped after a drain (or --check passed), 1 --check found a probe not contained,
            2 bad input or a node that cannot run sandboxes (the message says which flag or what to fix),
            125 the node or control plane failed.
            """
    )

    @Option(name: .customLong("control-plane"), help: "The control plane's URL, e.g. http://10.0.0.5:8080.")
    var controlPlane: String?
    @Option(
        name: .customLong("token-file"),
        help: "File holding a registration token of role agent (default: CRUCIBLE_TOKEN, then DATA/admin.token).")
    var tokenFile: String?
    @Option(help: "Jobs run at once (default: the number of cores).")
    var slots: Int?
    @Option(help: "Labels to register with, k=v,k2=v2; jobs can be matched against them.")
    var labels: String?
    @Option(help: "The node's name (default: the host name).")
    var name: String?
    @Option(help: "Where results wait until delivered (default: DATA/spool).")
    var spool: String?
    @Option(
        name: .customLong("slot-base"),
        help: "The first sandbox slot (each slot is a host uid); give agents on one host disjoint ranges.")
    var slotBase = 0
    @Option(help: "The data directory (default: ./crucible-data).")
    var data = "./crucible-data"
    @Option(
        name: .customLong("metrics-listen"),
        help: "Serve the agent's Prometheus metrics (GET /metrics) on HOST:PORT, e.g. 127.0.0.1:9464.")
    var metricsListen: ListenAddress?
    @Flag(help: "Only check that this node can run sandboxes, then run the hostile probes; start nothing.")
    var check = false
    @OptionGroup var policyOptions: PolicyOptions

    func validate() throws {
        if let slots, slots < 1 || slots > 1024 {
            throw ValidationError("--slots \(slots): give a number from 1 to 1024")
        }
        if slotBase < 0 || slotBase > 60_000 {
            throw ValidationError("--slot-base \(slotBase): give a number from 0 to 60000")
        }
        if !check, controlPlane == nil {
            throw ValidationError(
                "--control-plane URL is required (the control plane's address, e.g. http://127.0.0.1:8080)")
        }
    }

    func run() async throws {
        var logger = Logger(label: "crucible.agent")
        logger.logLevel = ProcessEnvironment.value("CRUCIBLE_LOG_LEVEL").flatMap { Logger.Level(rawValue: $0) } ?? .info
        let policy: SandboxPolicy
        do {
            policy = try policyOptions.load()
        } catch let error as SandboxError {
            throw CLIError.fail(error)
        }
        // The metrics backend first: what is recorded before it is chosen (the node check's sandbox, the
        // agent's gauges) would go nowhere.
        let metricsEndpoint =
            check
            ? nil
            : metricsListen.map {
                MetricsEndpoint.application(host: $0.host, port: $0.port, logger: logger)
            }
        let nodeCheck = NodeCheck(policy: policy, slot: slotBase, logger: logger)
        if check {
            let report = await nodeCheck.run(probes: true)
            print(report.render())
            if !report.canSandbox { throw ExitCode(2) }
            if !report.contained { throw ExitCode(1) }
            return
        }

        // Everything about the command line first, so a typo fails before any waiting.
        let userLabels: [String: String]
        let token: String
        do {
            userLabels = try labels.map { try NodeInventory.parseLabels($0) } ?? [:]
            _ = try ControlPlaneClient.normalizedURL(controlPlane ?? "")
            token = try readToken()
        } catch let error as AgentError {
            printError("crucible: \(error)")
            throw ExitCode(2)
        }
        let controlPlane = self.controlPlane ?? ""
        do {
            try await ControlPlaneClient.withHTTPClient { http in
                let agent = try await LocalAgent.make(
                    settings: LocalAgent.Settings(
                        name: name, slots: slots, labels: userLabels, spoolDirectory: spool ?? (data + "/spool"),
                        slotBase: slotBase),
                    policy: policy, controlPlane: controlPlane, token: token, http: http, logger: logger)
                // Shutdown goes from the last service to the first: the agent drains before the metrics
                // endpoint stops, so the last jobs' metrics can still be scraped.
                var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
                if let metricsEndpoint {
                    services.append(.init(service: metricsEndpoint))
                }
                services.append(.init(service: agent))
                let group = ServiceGroup(
                    configuration: ServiceGroupConfiguration(
                        services: services, gracefulShutdownSignals: [.sigterm],
                        cancellationSignals: [.sigint, .sigquit], logger: logger))
                try await group.run()
            }
        } catch let error as AgentError {
            printError("crucible: \(error)")
            switch error.kind {
            case .invalidInput: throw ExitCode(2)
            case .rejected where [400, 401, 403].contains(error.status ?? 0): throw ExitCode(2)
            default: throw ExitCode(125)
            }
        }
    }

    /// --token-file, else CRUCIBLE_TOKEN, else the data directory's admin token (`crucible up` writes one).
    private func readToken() throws(AgentError) -> String {
        let path = tokenFile ?? (ProcessEnvironment.value("CRUCIBLE_TOKEN") == nil ? data + "/admin.token" : nil)
        guard let path else {
            return (ProcessEnvironment.value("CRUCIBLE_TOKEN") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw AgentError(
                kind: .invalidInput,
                message: tokenFile == nil
                    ? "no token: give --token-file FILE or set CRUCIBLE_TOKEN (\(path) does not exist either)"
                    : "--token-file \(path): cannot read the file; check the path and its permissions",
                field: "token-file")
        }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else {
            throw AgentError(
                kind: .invalidInput, message: "--token-file \(path): the file is empty", field: "token-file")
        }
        return token
    }
}
