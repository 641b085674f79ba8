import CrucibleAPI
import Foundation
import Sandbox
import Toolchains

/// What a node has: the facts an agent registers with, so the control plane leases it only jobs it can run
/// and an operator sees each node's capacity in `GET /v1/nodes`.
public struct NodeInventory: Sendable, Hashable {
    public var cores: Int
    public var memoryBytes: UInt64
    public var cgroupVersion: CrucibleAPI.CgroupVersion
    /// Languages whose toolchains are installed (every command their steps start is on the PATH).
    public var toolchains: [Language]

    public init(cores: Int, memoryBytes: UInt64, cgroupVersion: CrucibleAPI.CgroupVersion, toolchains: [Language]) {
        self.cores = cores
        self.memoryBytes = memoryBytes
        self.cgroupVersion = cgroupVersion
        self.toolchains = toolchains
    }

    /// This node: the cgroup version the sandbox runner found, and the toolchains `crucible toolchains list`
    /// reports as ready.
    public static func detect(runner: SandboxRunner, catalog: ToolchainCatalog) -> NodeInventory {
        NodeInventory(
            cores: ProcessInfo.processInfo.activeProcessorCount,
            memoryBytes: ProcessInfo.processInfo.physicalMemory,
            cgroupVersion: runner.cgroups.version == .v1 ? .v1 : .v2,
            toolchains: ToolchainInventory.readyLanguages(catalog).compactMap(Language.init(rawValue:)))
    }

    /// The registration labels: the node's facts under `crucible.`-prefixed names, then the operator's own
    /// labels (which may not reuse the prefix, so a job can trust what it matches on).
    public func labels(adding user: [String: String]) throws(AgentError) -> [String: String] {
        if let reserved = user.keys.sorted().first(where: { $0.hasPrefix(Self.labelPrefix) }) {
            throw .invalidInput(
                "label '\(reserved)': names starting with '\(Self.labelPrefix)' are the agent's own; choose another",
                field: "labels")
        }
        var labels = user
        labels[Self.labelPrefix + "cores"] = String(cores)
        labels[Self.labelPrefix + "memory_mib"] = String(memoryBytes >> 20)
        labels[Self.labelPrefix + "cgroup"] = cgroupVersion.rawValue
        labels[Self.labelPrefix + "toolchains"] = toolchains.map(\.rawValue).joined(separator: ",")
        return labels
    }

    public static let labelPrefix = "crucible."

    /// Parses `--labels k=v,k2=v2`: keys like ids (letters, digits, `.`, `_`, `-`), values up to a comma.
    public static func parseLabels(_ text: String) throws(AgentError) -> [String: String] {
        var labels: [String: String] = [:]
        for part in text.split(separator: ",", omittingEmptySubsequences: true) {
            let pair = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = pair[0].trimmingCharacters(in: .whitespaces)
            let isKeyCharacter = { (scalar: Unicode.Scalar) in
                scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || "._-".unicodeScalars.contains(scalar))
            }
            guard pair.count == 2, let first = key.unicodeScalars.first, first.isASCII,
                CharacterSet.alphanumerics.contains(first), key.unicodeScalars.allSatisfy(isKeyCharacter)
            else {
                throw .invalidInput(
                    "--labels: '\(part)' is not k=v with a key of letters, digits, '.', '_' or '-'; write k=v,k2=v2",
                    field: "labels")
            }
            guard labels[key] == nil else {
                throw .invalidInput("--labels: '\(key)' is given twice", field: "labels")
            }
            labels[key] = pair[1].trimmingCharacters(in: .whitespaces)
        }
        return labels
    }

    /// The 1-minute load average, for heartbeats; nil when /proc/loadavg cannot be read.
    public static func loadAverage() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8),
            let first = text.split(separator: " ").first
        else { return nil }
        return Double(first)
    }
}
