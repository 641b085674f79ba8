import Foundation
import Yams

/// Reads a policy file. Strict: an unknown key, a wrong type or a bad value is an error that names
/// the key and its line. Keys an operator's file leaves out keep the built-in default's value, so a
/// file may say only what it changes; `crucible policy show` prints the result.
public enum PolicyLoader {
    /// The built-in default policy (`agent/sandbox-policy.yaml`, compiled into the binary).
    public static let defaultPolicyText: String = String(decoding: PackageResources.sandbox_policy_yaml, as: UTF8.self)

    /// The built-in default policy, parsed.
    public static func defaultPolicy() throws -> SandboxPolicy {
        try parse(defaultPolicyText, base: nil)
    }

    /// Reads the policy at `path`, over the built-in default.
    public static func load(path: String) throws -> SandboxPolicy {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw SandboxError.invalidRequest(
                "cannot read policy file \(path): \(error.localizedDescription); check the path and its permissions")
        }
        return try parse(text, base: defaultPolicy())
    }

    /// Parses policy text. With a base, keys the text leaves out keep the base's values; without one
    /// (the built-in default itself) every key is required.
    public static func parse(_ text: String, base: SandboxPolicy?) throws -> SandboxPolicy {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch YamlError.duplicatedKeysInMapping(let duplicates, let context) {
            throw SandboxError.invalidPolicy(
                key: duplicates.joined(separator: ", "), line: context.mark.line,
                message: "the key appears twice in one mapping; keep one")
        } catch let error as YamlError {
            throw SandboxError.invalidPolicy(key: "(file)", line: yamlLine(error), message: "not valid YAML: \(error)")
        }
        guard let root else {
            throw SandboxError.invalidPolicy(key: "(file)", line: nil, message: "the file is empty")
        }
        return try PolicyReader(base: base).read(YAMLValue(node: root, path: "", problem: policyProblem))
    }

    /// How a problem in a policy file is reported: the key, its line, what is wrong.
    static let policyProblem: YAMLValue.Problem = { key, line, message in
        SandboxError.invalidPolicy(key: key, line: line, message: message)
    }

    private static func yamlLine(_ error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return mark.line
        default:
            return nil
        }
    }
}

/// Turns the YAML tree into a `SandboxPolicy`, checking every value.
private struct PolicyReader {
    let base: SandboxPolicy?

    private func required<T>(_ value: T?, _ key: String, in parent: YAMLValue) throws -> T {
        guard let value else { throw parent.fail("the key '\(key)' is missing") }
        return value
    }

    func read(_ root: YAMLValue) throws -> SandboxPolicy {
        let known = [
            "version", "image", "identity", "hostname", "network", "limits", "environment", "capabilities",
            "mounts", "files", "seccomp",
        ]
        var version = base?.version
        var image = base?.image
        var identity = base?.identity
        var hostname = base?.hostname
        var network = base?.network
        var limits = base?.limits
        var environment = base?.environment
        var capabilities = base?.capabilities
        var mounts = base?.mounts
        var files = base?.files
        var seccomp = base?.seccomp
        for (key, value) in try root.mapping(known: known) {
            switch key {
            case "version":
                version = try value.int(in: 1...1)
            case "image":
                image = try readImage(value)
            case "identity":
                identity = try readIdentity(value, base: identity)
            case "hostname":
                hostname = try readHostname(value)
            case "network":
                let text = try value.string()
                guard let mode = NetworkMode(rawValue: text) else {
                    throw value.fail("'\(text)' is not a network mode; use none or loopback")
                }
                network = mode
            case "limits":
                limits = try readLimits(value, base: limits)
            case "environment":
                environment = try readEnvironment(value)
            case "capabilities":
                let names = try value.stringList()
                guard names.isEmpty else {
                    throw value.fail("sandboxes keep no capabilities; remove \(names.joined(separator: ", ")) (use [])")
                }
                capabilities = []
            case "mounts":
                mounts = try readMounts(value)
            case "files":
                files = try readFiles(value)
            case "seccomp":
                seccomp = try readSeccomp(value)
            default:
                break
            }
        }
        return SandboxPolicy(
            version: try required(version, "version", in: root), image: try required(image, "image", in: root),
            identity: try required(identity, "identity", in: root),
            hostname: try required(hostname, "hostname", in: root),
            network: try required(network, "network", in: root), limits: try required(limits, "limits", in: root),
            environment: try required(environment, "environment", in: root),
            capabilities: try required(capabilities, "capabilities", in: root),
            mounts: try required(mounts, "mounts", in: root), files: try required(files, "files", in: root),
            seccomp: try required(seccomp, "seccomp", in: root))
    }

    /// Only a name: the store decides where an image lives, so a policy cannot point the sandbox's
    /// root at an arbitrary host directory. Whether it is built is checked when a sandbox is prepared.
    private func readImage(_ value: YAMLValue) throws -> String {
        let text = try value.string()
        guard ImageStore.isValidName(text) else {
            throw value.fail(
                "'\(text)' is not an image name; use host (the node's own system) or the name of an image "
                    + "defined in images/ (lower-case letters, digits, '-', '.', '_'; `crucible images list`)")
        }
        return text
    }

    private func readHostname(_ value: YAMLValue) throws -> String {
        let text = try value.string()
        let allowed = text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }
        guard !text.isEmpty, text.count <= 63, allowed else {
            throw value.fail("'\(text)' is not a hostname; use 1 to 63 letters, digits, '-' or '.'")
        }
        return text
    }

    private func readIdentity(_ value: YAMLValue, base: Identity?) throws -> Identity {
        var result = base ?? Identity(insideUID: 0, insideGID: 0, hostUIDBase: 0, hostGIDBase: 0)
        var seen = Set<String>()
        for (key, item) in try value.mapping(known: ["inside_uid", "inside_gid", "host_uid_base", "host_gid_base"]) {
            seen.insert(key)
            switch key {
            case "inside_uid": result.insideUID = UInt32(try item.int(in: 1...65533))
            case "inside_gid": result.insideGID = UInt32(try item.int(in: 1...65533))
            // Host ids below 1000 belong to the system; 0 would make the program host root.
            case "host_uid_base": result.hostUIDBase = UInt32(try item.int(in: 1000...4_000_000_000))
            case "host_gid_base": result.hostGIDBase = UInt32(try item.int(in: 1000...4_000_000_000))
            default: break
            }
        }
        if base == nil {
            for key in ["inside_uid", "inside_gid", "host_uid_base", "host_gid_base"] where !seen.contains(key) {
                throw value.fail("the key '\(key)' is missing")
            }
        }
        return result
    }

    private func readLimits(_ value: YAMLValue, base: Limits?) throws -> Limits {
        let keys = [
            "cpu_time", "wall_time", "memory", "pids", "cpu_cores", "cpu_weight", "file_size", "open_files", "stack",
            "output", "tmp_size", "shm_size", "work_size", "inodes",
        ]
        var result =
            base
            ?? Limits(
                cpuTime: 0, wallTime: 0, memory: 0, pids: 0, cpuCores: 0, cpuWeight: 0, fileSize: 0, openFiles: 0,
                stack: 0, output: 0, tmpSize: 0, shmSize: 0, workSize: 0, inodes: 0)
        var seen = Set<String>()
        for (key, item) in try value.mapping(known: keys) {
            seen.insert(key)
            switch key {
            case "cpu_time": result.cpuTime = try item.duration()
            case "wall_time": result.wallTime = try item.duration()
            case "memory":
                result.memory = try item.size()
                guard result.memory >= 4 << 20 else { throw item.fail("at least 4MiB is needed to start a program") }
            case "pids": result.pids = try item.int(in: 1...1_000_000)
            case "cpu_cores":
                let text = try item.string()
                guard let cores = Double(text), cores > 0, cores <= 1024 else {
                    throw item.fail("'\(text)' is not a number of cores (for example 1 or 0.5)")
                }
                result.cpuCores = cores
            case "cpu_weight": result.cpuWeight = try item.int(in: 1...10000)
            case "file_size": result.fileSize = try item.size()
            case "open_files": result.openFiles = try item.int(in: 16...1_048_576)
            case "stack": result.stack = try item.size()
            case "output": result.output = try item.size()
            case "tmp_size": result.tmpSize = try item.size()
            case "shm_size": result.shmSize = try item.size()
            case "work_size": result.workSize = try item.size()
            case "inodes": result.inodes = try item.int(in: 16...100_000_000)
            default: break
            }
        }
        if base == nil, let missing = keys.first(where: { !seen.contains($0) }) {
            throw value.fail("the key '\(missing)' is missing")
        }
        return result
    }

    private func readEnvironment(_ value: YAMLValue) throws -> [EnvironmentVariable] {
        try value.mapping(known: []).map { key, item in
            let validName =
                !key.isEmpty && key.first.map { $0 == "_" || ($0.isASCII && $0.isLetter) } == true
                && key.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
            guard validName else { throw item.fail("'\(key)' is not a variable name (letters, digits, _)") }
            let text = try item.string()
            guard !text.contains("\0") else { throw item.fail("a value cannot hold a NUL byte") }
            return EnvironmentVariable(name: key, value: text)
        }
    }

    private func readMounts(_ value: YAMLValue) throws -> [MountRule] {
        var targets = Set<String>()
        var workdirs = 0
        let rules = try value.list().map { item -> MountRule in
            var target: String?
            var kind: MountKind?
            var source: String?
            var readOnly = true
            var optional = false
            var size: UInt64?
            for (key, field) in try item.mapping(known: ["target", "type", "source", "read_only", "optional", "size"]) {
                switch key {
                case "target": target = try absolutePath(field)
                case "type":
                    let text = try field.string()
                    guard let parsed = MountKind(rawValue: text) else {
                        let kinds = MountKind.allCases.map(\.rawValue).joined(separator: ", ")
                        throw field.fail("'\(text)' is not a mount type; use one of \(kinds)")
                    }
                    kind = parsed
                case "source": source = try absolutePath(field)
                case "read_only": readOnly = try field.bool()
                case "optional": optional = try field.bool()
                case "size": size = try field.size()
                default: break
                }
            }
            let mountTarget = try required(target, "target", in: item)
            let mountKind = try required(kind, "type", in: item)
            guard targets.insert(mountTarget).inserted else { throw item.fail("\(mountTarget) is mounted twice") }
            guard mountTarget != "/" else { throw item.fail("the root is built by the sandbox; mount below it") }
            switch mountKind {
            case .bind:
                guard source != nil else { throw item.fail("a bind needs a source") }
            case .workdir:
                workdirs += 1
            case .device:
                let name = String(mountTarget.dropFirst("/dev/".count))
                guard mountTarget.hasPrefix("/dev/"), MountRule.allowedDevices.contains(name) else {
                    let names = MountRule.allowedDevices.sorted().joined(separator: ", ")
                    throw item.fail("\(mountTarget) is not an allowed device; devices are /dev/ + one of \(names)")
                }
            case .tmpfs:
                if size == nil, mountTarget != "/tmp", mountTarget != "/dev/shm" {
                    throw item.fail("a tmpfs other than /tmp and /dev/shm needs a size")
                }
            case .proc:
                break
            }
            if mountKind != .bind, source != nil, mountKind != .device {
                throw item.fail("only binds take a source")
            }
            return MountRule(
                target: mountTarget, kind: mountKind, source: mountKind == .device ? mountTarget : source,
                readOnly: readOnly, optional: optional, size: size, line: item.line)
        }
        guard workdirs == 1 else { throw value.fail("exactly one mount must be of type workdir (it is the cwd)") }
        return rules
    }

    private func readFiles(_ value: YAMLValue) throws -> [RootFile] {
        try value.mapping(known: []).map { key, item in
            let path = try absolutePath(item.with(node: .scalar(.init(key))))
            return RootFile(path: path, content: try item.string())
        }
    }

    private func absolutePath(_ value: YAMLValue) throws -> String {
        let text = try value.string()
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard text.hasPrefix("/"), !parts.contains(".."), !parts.contains("."), !text.contains("\0"),
            text == "/" || !text.hasSuffix("/"), !text.contains("//")
        else {
            throw value.fail("'\(text)' is not a clean absolute path (no .., no trailing or double slashes)")
        }
        return text
    }

    private func readSeccomp(_ value: YAMLValue) throws -> SeccompPolicy {
        var defaultAction: SeccompAction?
        var badArch: SeccompAction?
        var rules: [SeccompRule]?
        for (key, item) in try value.mapping(known: ["default_action", "bad_architecture_action", "rules"]) {
            switch key {
            case "default_action": defaultAction = try readAction(item)
            case "bad_architecture_action": badArch = try readAction(item)
            case "rules": rules = try item.list().map(readRule)
            default: break
            }
        }
        return SeccompPolicy(
            defaultAction: try required(defaultAction, "default_action", in: value),
            badArchitectureAction: try required(badArch, "bad_architecture_action", in: value),
            rules: try required(rules, "rules", in: value))
    }

    private func readRule(_ item: YAMLValue) throws -> SeccompRule {
        var action: SeccompAction?
        var why: String?
        var syscalls: [String]?
        var args: [SeccompArgument] = []
        for (key, field) in try item.mapping(known: ["action", "why", "syscalls", "args"]) {
            switch key {
            case "action": action = try readAction(field)
            case "why": why = try field.string()
            case "syscalls":
                syscalls = try field.stringList()
                guard syscalls?.isEmpty == false else { throw field.fail("name at least one system call") }
                for (index, name) in (syscalls ?? []).enumerated() where SeccompCompiler.syscallNumber(name) == nil {
                    throw field.with(path: "\(field.path)[\(index)]").fail(
                        "'\(name)' is not a system call libseccomp knows on this architecture; check the spelling")
                }
            case "args":
                args = try field.list().map { arg in
                    var index: Int?
                    var mask: UInt64?
                    var argValue: UInt64?
                    for (argKey, argField) in try arg.mapping(known: ["index", "mask", "value"]) {
                        switch argKey {
                        case "index": index = try argField.int(in: 0...5)
                        case "mask": mask = try argField.uint64()
                        case "value": argValue = try argField.uint64()
                        default: break
                        }
                    }
                    return SeccompArgument(
                        index: try required(index, "index", in: arg), mask: try required(mask, "mask", in: arg),
                        value: try required(argValue, "value", in: arg))
                }
            default: break
            }
        }
        let rule = SeccompRule(
            action: try required(action, "action", in: item), why: try required(why, "why", in: item),
            syscalls: try required(syscalls, "syscalls", in: item), args: args, line: item.line)
        // Conditions live in a second, deny-only filter (see SeccompCompiler), so they cannot allow.
        if !rule.args.isEmpty, rule.action == .allow {
            throw item.fail("a rule with args must refuse (errno or kill); allow rules apply to whole system calls")
        }
        return rule
    }

    private func readAction(_ value: YAMLValue) throws -> SeccompAction {
        let text = try value.string()
        let words = text.split(separator: " ").map(String.init)
        switch words.first {
        case "allow" where words.count == 1: return .allow
        case "kill_process" where words.count == 1: return .killProcess
        case "kill_thread" where words.count == 1: return .killThread
        case "trap" where words.count == 1: return .trap
        case "log" where words.count == 1: return .log
        case "errno" where words.count == 2:
            if let code = errnoCode(words[1]) { return .errno(code) }
        default:
            break
        }
        throw value.fail(
            "'\(text)' is not an action; use allow, kill_process, kill_thread, trap, log, or errno NAME (errno EPERM)")
    }

    private func errnoCode(_ name: String) -> Int32? {
        if let number = Int32(name), number > 0, number < 4096 { return number }
        return (1..<134).first { errnoName(Int32($0)) == name }.map { Int32($0) }
    }
}
