import Foundation

/// `crucible policy show`: the effective policy as a security reviewer reads it, with every
/// system call resolved to its number on this machine.
public enum PolicyDescription {
    /// `image`: what this node has of the policy's image; without it only the name is printed.
    public static func text(
        _ policy: SandboxPolicy, program: SeccompProgram, source: String, image: ImageStatus? = nil
    ) -> String {
        var out: [String] = []
        let limits = policy.limits
        out.append("# effective sandbox policy (from \(source))")
        out.append("image: \(policy.image)\(image.map { " (\($0.summary))" } ?? "")")
        out.append(
            "identity: uid \(policy.identity.insideUID) / gid \(policy.identity.insideGID) inside, "
                + "host uid \(policy.identity.hostUIDBase)+slot / gid \(policy.identity.hostGIDBase)+slot")
        out.append("hostname: \(policy.hostname)")
        out.append("network: \(policy.network.rawValue)")
        out.append("namespaces: user, mount, pid, net, ipc, uts, cgroup (all new)")
        out.append("capabilities: none")
        out.append("limits:")
        let rows: [(String, String)] = [
            ("cpu_time", Quantity.formatDuration(limits.cpuTime)),
            ("wall_time", Quantity.formatDuration(limits.wallTime)),
            ("memory", Quantity.formatSize(limits.memory)), ("pids", "\(limits.pids)"),
            ("cpu_cores", "\(limits.cpuCores)"), ("cpu_weight", "\(limits.cpuWeight)"),
            ("file_size", Quantity.formatSize(limits.fileSize)), ("open_files", "\(limits.openFiles)"),
            ("stack", Quantity.formatSize(limits.stack)), ("output", Quantity.formatSize(limits.output)),
            ("tmp_size", Quantity.formatSize(limits.tmpSize)), ("shm_size", Quantity.formatSize(limits.shmSize)),
            ("work_size", Quantity.formatSize(limits.workSize)), ("inodes", "\(limits.inodes)"),
        ]
        for (key, value) in rows { out.append("  \(key): \(value)") }
        out.append("environment:")
        for variable in policy.environment { out.append("  \(variable.name)=\(variable.value)") }
        out.append("mounts:")
        for mount in policy.mounts {
            var words = ["  \(mount.target)", mount.kind.rawValue]
            if let source = mount.source, mount.kind == .bind { words.append("from \(source)") }
            if mount.kind == .bind { words.append(mount.readOnly ? "read-only" : "read-write") }
            if mount.kind == .tmpfs {
                let size = mount.size ?? (mount.target == "/dev/shm" ? limits.shmSize : limits.tmpSize)
                words.append("size \(Quantity.formatSize(size))")
            }
            if mount.kind == .workdir {
                words.append("read-write (a bound directory, or a \(Quantity.formatSize(limits.workSize)) tmpfs)")
            }
            if mount.optional { words.append("(optional)") }
            out.append(words.joined(separator: " "))
        }
        out.append("files written into the read-only root:")
        for file in policy.files { out.append("  \(file.path) (\(file.content.utf8.count) bytes)") }
        out.append("seccomp:")
        out.append("  default action: \(policy.seccomp.defaultAction)")
        out.append("  other architectures (i386, x32): \(policy.seccomp.badArchitectureAction)")
        out.append("  BPF: \(program.filters.count) filter(s), \(program.instructionCount) instructions")
        for rule in policy.seccomp.rules {
            out.append("  - \(rule.action): \(rule.why.replacingOccurrences(of: "\n", with: " "))")
            if !rule.args.isEmpty {
                let conditions = rule.args.map {
                    "arg\($0.index) & 0x\(String($0.mask, radix: 16)) == 0x\(String($0.value, radix: 16))"
                }
                out.append("      when \(conditions.joined(separator: " or "))")
            }
            let calls = program.resolved.filter { resolved in
                rule.syscalls.contains(resolved.name) && resolved.action == rule.action
                    && resolved.conditional == !rule.args.isEmpty
            }
            var seen = Set<String>()
            let names = calls.filter { seen.insert($0.name).inserted }.map {
                "\($0.name)(\($0.number.map(String.init) ?? "n/a"))"
            }
            out.append(contentsOf: wrap(names, indent: "      "))
        }
        return out.joined(separator: "\n")
    }

    public static func json(_ policy: SandboxPolicy, program: SeccompProgram, image: ImageStatus? = nil) -> String {
        let limits = policy.limits
        var object: [String: Any] = [
            "image": policy.image,
            "identity": [
                "inside_uid": policy.identity.insideUID, "inside_gid": policy.identity.insideGID,
                "host_uid_base": policy.identity.hostUIDBase, "host_gid_base": policy.identity.hostGIDBase,
            ],
            "hostname": policy.hostname,
            "network": policy.network.rawValue,
            "namespaces": ["user", "mount", "pid", "net", "ipc", "uts", "cgroup"],
            "capabilities": [String](),
            "limits": [
                "cpu_time_s": limits.cpuTime, "wall_time_s": limits.wallTime, "memory_bytes": limits.memory,
                "pids": limits.pids, "cpu_cores": limits.cpuCores, "cpu_weight": limits.cpuWeight,
                "file_size_bytes": limits.fileSize, "open_files": limits.openFiles, "stack_bytes": limits.stack,
                "output_bytes": limits.output, "tmp_size_bytes": limits.tmpSize, "shm_size_bytes": limits.shmSize,
                "work_size_bytes": limits.workSize, "inodes": limits.inodes,
            ],
            "environment": Dictionary(policy.environment.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 }),
            "mounts": policy.mounts.map { mount -> [String: Any] in
                var item: [String: Any] = [
                    "target": mount.target, "type": mount.kind.rawValue, "optional": mount.optional,
                ]
                if let source = mount.source { item["source"] = source }
                if mount.kind == .bind { item["read_only"] = mount.readOnly }
                if let size = mount.size { item["size_bytes"] = size }
                return item
            },
            "files": policy.files.map { ["path": $0.path, "content": $0.content] },
            "seccomp": [
                "default_action": "\(policy.seccomp.defaultAction)",
                "bad_architecture_action": "\(policy.seccomp.badArchitectureAction)",
                "filters": program.filters.count,
                "instructions": program.instructionCount,
                "rules": policy.seccomp.rules.map { rule -> [String: Any] in
                    [
                        "action": "\(rule.action)", "why": rule.why,
                        "args": rule.args.map { ["index": $0.index, "mask": $0.mask, "value": $0.value] },
                        "syscalls": rule.syscalls.map { name -> [String: Any] in
                            let number = SeccompCompiler.syscallNumber(name).flatMap { $0 >= 0 ? Int($0) : nil }
                            return ["name": name, "number": number as Any? ?? NSNull()]
                        },
                    ]
                },
            ],
        ]
        if let image { object["image_status"] = image.json }
        guard
            let data = try? JSONSerialization.data(
                withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    private static func wrap(_ words: [String], indent: String, width: Int = 100) -> [String] {
        var lines: [String] = []
        var current = indent
        for word in words {
            if current.count + word.count + 1 > width, current != indent {
                lines.append(current)
                current = indent
            }
            current += (current == indent ? "" : " ") + word
        }
        if current != indent { lines.append(current) }
        return lines
    }
}
