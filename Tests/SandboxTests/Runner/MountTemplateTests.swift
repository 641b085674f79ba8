import Foundation
import Testing

@testable import Sandbox

/// Sandboxes cloned from the spawner's mount templates: what they see of the node's files is what the node
/// has now, and nothing of the template's making shows through.
@Suite(.enabled(if: TestSupport.isRoot, "needs root to build sandboxes"))
struct MountTemplateTests {
    /// A policy binding `file` read-only at /opt/crucible-template-test.
    static func policy(binding file: String) throws -> SandboxPolicy {
        var policy = try TestSupport.defaultPolicy()
        policy.mounts.append(
            MountRule(
                target: "/opt/crucible-template-test", kind: .bind, source: file, readOnly: true, optional: false,
                size: nil, line: nil))
        return policy
    }

    static func run(_ command: [String], _ policy: SandboxPolicy) async throws -> SandboxResult {
        try await TestSupport.requireRunner().run(
            SandboxRequest(command: command, policy: policy, workdir: nil, stdin: .none, slot: TestSupport.freshSlot()))
    }

    static func write(_ text: String, to path: String) throws {
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        chmod(path, 0o644)
    }

    @Test func aBoundFileReplacedByRenameIsSeenByTheNextSandbox() async throws {
        let directory = try TestSupport.temporaryDirectory("template")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        chmod(directory, 0o755)
        let file = directory + "/data"
        try Self.write("one\n", to: file)
        let policy = try Self.policy(binding: file)
        let cat = ["/bin/cat", "/opt/crucible-template-test"]
        #expect(try await Self.run(cat, policy).stdout == "one\n")
        #expect(try TestSupport.requireRunner().spawner.templateCount >= 1, "cloned from a template")
        // Changed in place: the same file, seen through the template's bind.
        try Self.write("two\n", to: file)
        #expect(try await Self.run(cat, policy).stdout == "two\n")
        // Replaced by rename, as ldconfig and dpkg replace theirs: another file, which the template's bind does
        // not show; the next sandbox gets a new template.
        try Self.write("three\n", to: file + ".new")
        #expect(rename(file + ".new", file) == 0)
        #expect(try await Self.run(cat, policy).stdout == "three\n")
    }

    @Test func policiesThatBindOtherFilesAtTheSamePlacesHaveTheirOwnTemplates() async throws {
        let directory = try TestSupport.temporaryDirectory("templates")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        chmod(directory, 0o755)
        try Self.write("first\n", to: directory + "/a")
        try Self.write("second\n", to: directory + "/b")
        let first = try Self.policy(binding: directory + "/a")
        let second = try Self.policy(binding: directory + "/b")
        let cat = ["/bin/cat", "/opt/crucible-template-test"]
        for _ in 0..<2 {
            #expect(try await Self.run(cat, first).stdout == "first\n")
            #expect(try await Self.run(cat, second).stdout == "second\n")
        }
    }

    @Test func theSandboxSeesOnlyItsOwnProcessesAndItsOwnWorkdir() async throws {
        let slot = TestSupport.freshSlot()
        let directory = try TestSupport.temporaryDirectory("template-workdir")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let policy = try TestSupport.defaultPolicy()
        let owner = (policy.identity.hostUIDBase + UInt32(slot), policy.identity.hostGIDBase + UInt32(slot))
        #expect(chown(directory, owner.0, owner.1) == 0)
        let result = try await TestSupport.run(
            "set -- /proc/[0-9]*; echo $#; echo made > here; cat /work/here; grep -c ' /work ' /proc/self/mountinfo",
            slot: slot, workdir: directory)
        // The init and the shell: the procfs under /proc (the template builder's, whose namespace is gone)
        // shows nothing through the sandbox's own.
        #expect(result.stdout.split(separator: "\n").map(String.init) == ["2", "made", "1"], "\(result.stdout)")
        #expect(try String(contentsOfFile: directory + "/here", encoding: .utf8) == "made\n")
    }
}
