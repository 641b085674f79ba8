import Agent
import ArgumentParser
import AsyncHTTPClient
import CrucibleAPI
import Foundation
import Logging
import Sandbox
import Toolchains

/// Builds a node agent for this machine: checks that it can sandbox (refusing with what to fix), finds the
/// toolchains, and wires the evaluator. `crucible agent`, `crucible up` and `crucible demo` share it.
enum LocalAgent {
    struct Settings {
        var name: String?
        var slots: Int?
        var labels: [String: String] = [:]
        var spoolDirectory: String
        var slotBase = 0
        var leaseWait: Duration = .seconds(30)
        var spoolMode = SpoolMode.beforeSending
    }

    /// `transport`, when given, carries the agent's requests instead of `http` (`crucible up`'s agent calls its
    /// control plane in the same process).
    static func make(
        settings: Settings, policy: SandboxPolicy, controlPlane: String, token: String, http: HTTPClient,
        transport: (any ControlPlaneTransport)? = nil, logger: Logger
    ) async throws -> NodeAgent {
        // The check starts a sandbox: in this agent's first slot, not one another agent on the node may use.
        let nodeCheck = NodeCheck(policy: policy, slot: settings.slotBase, logger: logger)
        let prerequisites = await nodeCheck.prerequisites()
        let report = NodeCheck.Report(items: prerequisites, probes: nil)
        guard report.canSandbox else {
            printError("crucible: \(report.refusal)")
            throw ExitCode(2)
        }
        for item in prerequisites {
            logger.debug("node check passed", metadata: ["check": "\(item.name)", "found": "\(item.detail)"])
        }
        let evaluator: Evaluator
        let inventory: NodeInventory
        do {
            let runner = try SandboxRunner(logger: logger)
            let catalog = try ToolchainCatalog.locate()
            evaluator = Evaluator(runner: runner, catalog: catalog, policy: policy, logger: logger)
            inventory = NodeInventory.detect(runner: runner, catalog: catalog, policy: policy)
        } catch let error as SandboxError {
            throw CLIError.fail(error)
        } catch {
            printError("crucible: \(error)")
            throw ExitCode(125)
        }
        if inventory.toolchains.isEmpty {
            logger.warning(
                "no toolchain is installed, so no job will be leased here; run scripts/install-toolchains.sh")
        }
        let configuration = NodeAgentConfiguration(
            name: settings.name ?? NodeAgentConfiguration.defaultName(), slots: settings.slots ?? inventory.cores,
            inventory: inventory, spoolDirectory: settings.spoolDirectory, labels: settings.labels,
            slotBase: settings.slotBase, leaseWait: settings.leaseWait, spoolMode: settings.spoolMode)
        do {
            let client = try ControlPlaneClient(
                baseURL: controlPlane, token: token, httpClient: http, transport: transport,
                configuration: .init(userAgent: "crucible-agent/\(NodeAgent.version)"), logger: logger)
            return try NodeAgent(configuration: configuration, client: client, evaluator: evaluator, logger: logger)
        } catch {
            printError("crucible: \(error)")
            throw ExitCode(2)
        }
    }
}
