import CrucibleAPI
import Logging
import Sandbox
import Toolchains

/// This machine as a node: its sandbox runner, the toolchains installed, and the evaluator built from them.
/// What `crucible agent` and `crucible up` hand a `NodeAgent`.
public struct LocalNode: Sendable {
    public let evaluator: Evaluator
    public let inventory: NodeInventory

    public init(evaluator: Evaluator, inventory: NodeInventory) {
        self.evaluator = evaluator
        self.inventory = inventory
    }

    /// Builds the sandbox runner (root, cgroups), finds the toolchain definitions (CRUCIBLE_TOOLCHAINS,
    /// ./toolchains, the source tree, /usr/share/crucible) and lists the toolchains that are installed.
    /// Run `NodeCheck.prerequisites()` first for a report of what is missing; this only says the first thing.
    public static func detect(policy: SandboxPolicy, logger: Logger) throws(AgentError) -> LocalNode {
        let runner: SandboxRunner
        let catalog: ToolchainCatalog
        do {
            runner = try SandboxRunner(logger: logger)
        } catch {
            throw AgentError(kind: .nodeUnavailable, message: "\(error); run crucible agent --check")
        }
        do {
            catalog = try ToolchainCatalog.locate()
        } catch {
            throw AgentError(kind: .nodeUnavailable, message: "\(error)")
        }
        let evaluator = Evaluator(runner: runner, catalog: catalog, policy: policy, logger: logger)
        return LocalNode(evaluator: evaluator, inventory: NodeInventory.detect(runner: runner, catalog: catalog))
    }
}
