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
    /// reports as ready. With the `policy` the jobs will run under, a built image narrows them to the ones
    /// the image installs (a job of another language would only error there), and an image not yet built
    /// leaves none: the node is then leased nothing rather than everything.
    public static func detect(runner: SandboxRunner, catalog: ToolchainCatalog, policy: SandboxPolicy? = nil)
        -> NodeInventory
    {
        var languages = ToolchainInventory.readyLanguages(catalog)
        if let image = policy?.image {
            do {
                // nil for `host`, the node's own system: the PATH check above is the whole story.
                if try runner.images.root(for: image) != nil, let manifest = runner.images.manifest(image) {
                    languages = languages.filter { manifest.toolchains.contains($0) }
                }
            } catch {
                languages = []
            }
        }
        return NodeInventory(
            cores: ProcessInfo.processInfo.activeProcessorCount,
            memoryBytes: ProcessInfo.processInfo.physicalMemory,
            cgroupVersion: runner.cgroups.version == .v1 ? .v1 : .v2,
            toolchains: languages.compactMap(Language.init(rawValue:)))
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
