import Foundation
import Testing

@testable import Sandbox

@Suite struct PolicyLoaderTests {
    @Test func defaultPolicyIsStrict() throws {
        let policy = try PolicyLoader.defaultPolicy()
        #expect(policy.capabilities.isEmpty)
        #expect(policy.network == .none)
        #expect(policy.identity.hostUIDBase >= 1000)
        #expect(policy.mounts.filter { $0.kind == .workdir }.count == 1)
        #expect(policy.mounts.contains { $0.target == "/usr" && $0.kind == .bind && $0.readOnly })
        #expect(!policy.files.contains { $0.path == "/etc/shadow" })
        #expect(policy.seccomp.defaultAction == .errno(ENOSYS))
        #expect(policy.seccomp.badArchitectureAction == .killProcess)
        let refused = Set(policy.seccomp.rules.filter { $0.action != .allow }.flatMap(\.syscalls))
        let required = [
            "io_uring_setup", "io_uring_enter", "io_uring_register", "keyctl", "add_key", "request_key", "ptrace",
            "process_vm_readv", "process_vm_writev", "mount", "umount2", "pivot_root", "unshare", "setns", "chroot",
            "bpf", "perf_event_open", "kexec_load", "kexec_file_load", "init_module", "finit_module",
            "delete_module", "userfaultfd", "ioctl", "clone",
        ]
        for name in required { #expect(refused.contains(name), "\(name) must be refused") }
        let allowed = Set(policy.seccomp.rules.filter { $0.action == .allow }.flatMap(\.syscalls))
        #expect(allowed.isDisjoint(with: ["io_uring_setup", "ptrace", "mount", "unshare", "bpf", "keyctl"]))
    }

    @Test func everyRuleSaysWhy() throws {
        let policy = try PolicyLoader.defaultPolicy()
        for rule in policy.seccomp.rules { #expect(rule.why.count > 10) }
    }

    @Test func operatorFileOverlaysTheDefault() throws {
        let base = try PolicyLoader.defaultPolicy()
        let policy = try PolicyLoader.parse("limits:\n  memory: 1GiB\nnetwork: loopback\n", base: base)
        #expect(policy.limits.memory == 1 << 30)
        #expect(policy.limits.pids == base.limits.pids)
        #expect(policy.network == .loopback)
        #expect(policy.seccomp == base.seccomp)
    }

    /// A table of bad files, each with the key and line its error must name.
    @Test(
        arguments: [
            ("limits:\n  memroy: 1G\n", "limits.memroy", 2, "unknown key"),
            ("limits:\n  memory: 12Q\n", "limits.memory", 2, "not a size"),
            ("network: internet\n", "network", 1, "not a network mode"),
            ("capabilities: [CAP_SYS_ADMIN]\n", "capabilities", 1, "keep no capabilities"),
            ("version: 2\n", "version", 1, "from 1 to 1"),
            ("identity:\n  host_uid_base: 0\n", "identity.host_uid_base", 2, "from 1000"),
            ("limits:\n  wall_time: soon\n", "limits.wall_time", 2, "not a duration"),
            (
                "mounts:\n  - {target: /work, type: workdir}\n  - {target: /work, type: tmpfs, size: 1M}\n",
                "mounts[1]", 3, "mounted twice"
            ),
            ("mounts:\n  - {target: /usr, type: bind, source: /usr}\n", "mounts", 2, "workdir"),
            (
                "mounts:\n  - {target: /dev/sda, type: device}\n  - {target: /work, type: workdir}\n", "mounts[0]", 2,
                "not an allowed device"
            ),
            ("mounts:\n  - {target: ../etc, type: workdir}\n", "mounts[0].target", 2, "clean absolute path"),
            (
                "seccomp:\n  default_action: allow\n  bad_architecture_action: kill_process\n  rules:\n    - {action: allow, why: x, syscalls: [opne]}\n",
                "seccomp.rules[0].syscalls[0]", 5, "not a system call"
            ),
            ("seccomp:\n  default_action: maybe\n", "seccomp.default_action", 2, "not an action"),
            (
                "seccomp:\n  default_action: allow\n  bad_architecture_action: kill_process\n  rules:\n    - {action: allow, why: x, syscalls: [ioctl], args: [{index: 1, mask: 1, value: 1}]}\n",
                "seccomp.rules[0]", 5, "must refuse"
            ),
            ("limits: [1, 2]\n", "limits", 1, "expected a mapping"),
            ("hostname: \"bad name!\"\n", "hostname", 1, "not a hostname"),
            ("limits:\n  pids: 10\n  pids: 20\n", "pids", 2, "appears twice"),
            ("environment:\n  \"1BAD\": x\n", "environment.1BAD", 2, "variable name"),
        ] as [(String, String, Int, String)])
    func badFilesNameTheKeyAndLine(text: String, key: String, line: Int, message: String) throws {
        let base = try PolicyLoader.defaultPolicy()
        do {
            _ = try PolicyLoader.parse(text, base: base)
            Issue.record("expected an error for \(text)")
        } catch let SandboxError.invalidPolicy(foundKey, foundLine, foundMessage) {
            #expect(foundKey == key)
            #expect(foundLine == line)
            #expect(foundMessage.contains(message), "\(foundMessage)")
        }
    }

    @Test func notYAMLIsAnError() throws {
        #expect(throws: SandboxError.self) { try PolicyLoader.parse("limits: [unclosed\n", base: nil) }
    }

    @Test func conflictingActionsForOneSyscallAreRefused() throws {
        let text = """
            seccomp:
              default_action: errno ENOSYS
              bad_architecture_action: kill_process
              rules:
                - {action: allow, why: reading, syscalls: [read]}
                - {action: errno EPERM, why: no reading, syscalls: [read]}
            """
        let policy = try PolicyLoader.parse(text, base: try PolicyLoader.defaultPolicy())
        #expect(throws: SandboxError.self) { try SeccompCompiler.compile(policy.seccomp) }
    }

    @Test func unreadableFileIsAClearError() {
        #expect {
            try PolicyLoader.load(path: "/nonexistent/policy.yaml")
        } throws: { error in
            "\(error)".contains("cannot read policy file /nonexistent/policy.yaml")
        }
    }
}
