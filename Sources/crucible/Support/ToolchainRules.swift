import CrucibleAPI
import Logging
import Toolchains

/// The toolchains' rules for tasks and candidates, for a control plane to check runs and tasks against.
enum ToolchainRules {
    /// The toolchain definitions, or nil (with a warning) when they cannot be read: the control plane then
    /// accepts what only the toolchains would refuse, and the agents refuse it as an errored job instead.
    static func load(logger: Logger) -> (any SubmissionRules)? {
        do {
            return try ToolchainCatalog.locate()
        } catch {
            logger.warning(
                "runs are not checked against the toolchains' file rules",
                metadata: ["reason": "\(error)"])
            return nil
        }
    }
}
