import Foundation
import Logging
import Sandbox

/// `crucible agent --check`: can this node build sandboxes, and do they hold?
///
/// First the prerequisites, each a pass/fail line and, on failure, what to fix: root, user namespaces,
/// cgroups writable for the controllers the sandbox needs, libseccomp able to compile the policy's filter,
/// the runtime directory under /run writable, and one real sandbox started. Then, when those pass, the
/// hostile probes of `crucible policy check` under the policy the agent will use. `crucible agent` runs
/// the prerequisites at every start and refuses to run (exit 2) when one fails.
public struct NodeCheck: Sendable {
    public struct Item: Sendable, Hashable {
        public var name: String
        public var passed: Bool
        /// What was found.
        public var detail: String
        /// What to do, on failure.
        public var fix: String?

        public init(name: String, passed: Bool, detail: String, fix: String? = nil) {
            self.name = name
            self.passed = passed
            self.detail = detail
            self.fix = fix
        }
    }

    public struct Report: Sendable {
        public var items: [Item]
        /// Nil when the probes were not run (not asked for, or the node cannot sandbox at all).
        public var probes: [PolicyChecker.Finding]?

        public init(items: [Item], probes: [PolicyChecker.Finding]?) {
            self.items = items
            self.probes = probes
        }

        public var canSandbox: Bool { items.allSatisfy(\.passed) }
        public var contained: Bool { probes?.allSatisfy(\.contained) ?? true }
        public var passed: Bool { canSandbox && contained }

        /// The report as printed: a line per check (with the fix under a failure), then the probes.
        public func render() -> String {
            var lines = ["Can this node run sandboxes?"]
            for item in items {
                lines.append("  \(item.passed ? "ok  " : "FAIL") \(item.name): \(item.detail)")
                if !item.passed, let fix = item.fix { lines.append("       fix: \(fix)") }
            }
            guard let probes else {
                if !canSandbox { lines.append("Hostile probes not run: fix the failures above first.") }
                return lines.joined(separator: "\n")
            }
            lines.append("")
            lines.append("Hostile probes (each in its own sandbox, under the agent's policy):")
            let width = probes.map(\.probe.count).max() ?? 0
            for finding in probes {
                let name = finding.probe.padding(toLength: width, withPad: " ", startingAt: 0)
                lines.append(
                    "  \(finding.contained ? "ok  " : "FAIL") \(name)  expected \(finding.expected), got \(finding.got)"
                )
                if !finding.contained { lines.append("       \(finding.attempt): \(finding.detail)") }
            }
            let escaped = probes.filter { !$0.contained }
            lines.append(
                escaped.isEmpty
                    ? "All \(probes.count) probes contained."
                    : "\(escaped.count) of \(probes.count) probes NOT contained: do not run jobs on this node; "
                        + "check the policy (crucible policy show) and the kernel")
            return lines.joined(separator: "\n")
        }

        /// Why `crucible agent` will not start, listing each failure with its fix.
        public var refusal: String {
            let failures = items.filter { !$0.passed }.map {
                "\($0.name): \($0.detail)\($0.fix.map { "; fix: \($0)" } ?? "")"
            }
            return "this node cannot run sandboxes, so the agent will not start:\n  "
                + failures.joined(separator: "\n  ") + "\n(crucible agent --check prints the full report)"
        }
    }

    public let policy: SandboxPolicy
    public let runtimeDirectory: String
    /// The sandbox slot of the test sandbox; the probes use it and the next one. Keep it apart from slots in
    /// use at the same time (it is the agent's first slot when the agent checks itself at start).
    public let slot: Int
    let logger: Logger

    public init(policy: SandboxPolicy, runtimeDirectory: String = "/run/crucible", slot: Int = 0, logger: Logger) {
        self.policy = policy
        self.runtimeDirectory = runtimeDirectory
        self.slot = slot
        self.logger = logger
    }

    /// The prerequisites only (fast: one sandbox).
    public func prerequisites() async -> [Item] {
        var items = [checkRoot(), checkUserNamespaces(), checkCgroups(), checkSeccomp(), checkRuntimeDirectory()]
        if items.allSatisfy(\.passed) {
            items.append(await checkSandbox())
        }
        return items
    }

    /// Prerequisites, then (when `probes` and they passed) the hostile probes. `probeExecutable` is a crucible
    /// binary (this process's by default).
    public func run(probes: Bool, probeExecutable: String? = nil) async -> Report {
        let items = await prerequisites()
        guard probes, items.allSatisfy(\.passed) else { return Report(items: items, probes: nil) }
        do {
            let runner = try SandboxRunner(logger: logger, runtimeDirectory: runtimeDirectory)
            let checker = PolicyChecker(
                runner: runner, policy: policy, probeExecutable: probeExecutable, firstSlot: slot)
            return Report(items: items, probes: try await checker.checkAll())
        } catch {
            let failed = Item(
                name: "hostile probes", passed: false, detail: "could not run them (\(error))",
                fix: "see the error; crucible policy check runs the same probes")
            return Report(items: items + [failed], probes: nil)
        }
    }

    // MARK: - The checks

    func checkRoot() -> Item {
        let euid = geteuid()
        return Item(
            name: "root", passed: euid == 0, detail: euid == 0 ? "running as root" : "running as uid \(euid)",
            fix: "run the agent as root: it builds namespaces and cgroups, and runs each sandbox as an unprivileged uid"
        )
    }

    func checkUserNamespaces() -> Item {
        let name = "user namespaces"
        guard let text = try? String(contentsOfFile: "/proc/sys/user/max_user_namespaces", encoding: .utf8),
            let limit = Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
        else {
            return Item(
                name: name, passed: false,
                detail: "the kernel does not offer them (no /proc/sys/user/max_user_namespaces)",
                fix: "use a kernel built with CONFIG_USER_NS=y (every current distribution kernel is)")
        }
        guard limit > 0 else {
            return Item(
                name: name, passed: false, detail: "disabled (user.max_user_namespaces = 0)",
                fix: "sysctl -w user.max_user_namespaces=15000, and set it in /etc/sysctl.d/ to keep it")
        }
        return Item(name: name, passed: true, detail: "enabled (user.max_user_namespaces = \(limit))")
    }

    func checkCgroups() -> Item {
        let name = "cgroups"
        do {
            let driver = try CgroupDetector.driver()
            // What every sandbox does: make a cgroup with limits in each controller, then remove it. The name
            // carries this process's pid (a crash leaves it to the stale sweep) and is unique (checks may overlap).
            let cgroup = try driver.create(
                name: "crucible-\(getpid())-check-\(UUID().uuidString.prefix(8))",
                limits: CgroupLimits(memory: 64 << 20, pids: 16, cpuCores: 1, cpuWeight: 100))
            try cgroup.remove()
            let controllers = driver.version == .v1 ? "memory, pids, cpu, cpuacct, freezer" : "memory, pids, cpu"
            return Item(
                name: name, passed: true,
                detail: "\(driver.version.rawValue), writable at \(driver.location) (\(controllers))")
        } catch {
            return Item(
                name: name, passed: false, detail: "\(error)",
                fix: "run as root with the cgroup hierarchy writable: on v2 the memory, pids and cpu controllers "
                    + "enabled for the agent's cgroup (systemd: Delegate=yes); on v1 the memory, pids, cpu,cpuacct "
                    + "and freezer hierarchies mounted")
        }
    }

    func checkSeccomp() -> Item {
        do {
            let program = try SeccompCompiler.compile(policy.seccomp)
            return Item(
                name: "libseccomp", passed: true,
                detail: "the policy's filter compiles (\(program.instructionCount) BPF instructions)")
        } catch {
            return Item(
                name: "libseccomp", passed: false, detail: "cannot compile the policy's filter (\(error))",
                fix: "install libseccomp2 (apt-get install libseccomp2), and check the policy's seccomp rules")
        }
    }

    func checkRuntimeDirectory() -> Item {
        let name = "runtime directory"
        let probe = runtimeDirectory + "/.check-\(getpid())"
        do {
            try FileManager.default.createDirectory(atPath: runtimeDirectory, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: probe, contents: Data("ok".utf8)) else {
                throw CocoaError(.fileWriteNoPermission)
            }
            unlink(probe)
            return Item(name: name, passed: true, detail: "\(runtimeDirectory) is writable")
        } catch {
            return Item(
                name: name, passed: false, detail: "cannot write in \(runtimeDirectory) (\(error))",
                fix: "make /run writable for root (a tmpfs, as systemd mounts it); sandboxes keep their roots there")
        }
    }

    func checkSandbox() async -> Item {
        let name = "sandbox"
        do {
            let runner = try SandboxRunner(logger: logger, runtimeDirectory: runtimeDirectory)
            let result = try await runner.run(SandboxRequest(command: ["true"], policy: policy, slot: slot))
            guard result.status == .ok else {
                return Item(
                    name: name, passed: false, detail: "/bin/true in a sandbox ended \(result.status.rawValue)",
                    fix: "run `crucible sandbox run -- true` to see why")
            }
            return Item(
                name: name, passed: true,
                detail: String(format: "one started and ended cleanly in %.0f ms", result.wallTimeS * 1000)
                    + "; \(runner.spawnerDescription)")
        } catch {
            return Item(
                name: name, passed: false, detail: "\(error)", fix: "run `crucible sandbox run -- true` to see why")
        }
    }
}
