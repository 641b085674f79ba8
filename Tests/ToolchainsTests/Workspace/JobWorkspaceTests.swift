import Foundation
import Sandbox
import Testing

@testable import Toolchains

/// The supervisor is root and touches the workspace between steps: nothing sandboxed code leaves
/// there (a symlink to a host file) may turn that into a read or write of the host.
@Suite(.enabled(if: geteuid() == 0, "needs root to mount the workspace"))
struct JobWorkspaceTests {
    /// Removes the workspace and the runtime directory made for it.
    static func discard(_ workspace: JobWorkspace) {
        workspace.remove()
        let work = (workspace.directory as NSString).deletingLastPathComponent
        try? FileManager.default.removeItem(atPath: (work as NSString).deletingLastPathComponent)
    }

    func makeWorkspace() throws -> JobWorkspace {
        let runtime = NSTemporaryDirectory() + "crucible-ws-test-\(UUID().uuidString)"
        return try JobWorkspace.create(
            runtimeDirectory: runtime, id: "job", size: 8 << 20, inodes: 256, uid: 2_000_999, gid: 2_000_999)
    }

    @Test func writesAreOwnedByTheSandboxUserAndCapped() throws {
        let workspace = try makeWorkspace()
        defer { Self.discard(workspace) }
        try workspace.write("src/lib.rs", "pub fn x() {}\n")
        var info = stat()
        #expect(stat(workspace.directory + "/src/lib.rs", &info) == 0)
        #expect(info.st_uid == 2_000_999)
        #expect(workspace.read("src/lib.rs") == "pub fn x() {}\n")
        // The workspace is a tmpfs of its own size: a huge write fails instead of filling the host.
        #expect(throws: ToolchainError.self) { try workspace.write("big", String(repeating: "x", count: 9 << 20)) }
    }

    @Test func symlinksLeftBySandboxedCodeAreNeverFollowed() throws {
        let workspace = try makeWorkspace()
        defer { Self.discard(workspace) }
        let hostFile = NSTemporaryDirectory() + "crucible-host-secret-\(UUID().uuidString)"
        try "host secret\n".write(toFile: hostFile, atomically: true, encoding: .utf8)
        defer { unlink(hostFile) }
        let hostDirectory = NSTemporaryDirectory() + "crucible-host-dir-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: hostDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: hostDirectory) }

        // What a hostile build script could leave: a report, a config and a whole directory as links.
        #expect(symlink(hostFile, workspace.directory + "/report.xml") == 0)
        #expect(symlink(hostFile, workspace.directory + "/Cargo.toml") == 0)
        #expect(symlink(hostDirectory, workspace.directory + "/.crucible") == 0)

        #expect(workspace.read("report.xml") == nil)
        #expect(workspace.read(".crucible/anything") == nil)
        #expect(throws: ToolchainError.self) { try workspace.write("Cargo.toml", "overwritten\n") }
        #expect(throws: ToolchainError.self) { try workspace.write(".crucible/junit.xml", "forged\n") }
        try workspace.removeFile("report.xml")  // removes the link itself
        #expect(try String(contentsOfFile: hostFile, encoding: .utf8) == "host secret\n")
        #expect((try FileManager.default.contentsOfDirectory(atPath: hostDirectory)).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: workspace.directory + "/report.xml"))
    }

    @Test func aDeadProcesssWorkspaceIsSwept() throws {
        let runtime = NSTemporaryDirectory() + "crucible-ws-sweep-\(UUID().uuidString)"
        // pid 2147483000 is above pid_max: its owner is certainly gone.
        let stale = try JobWorkspace.create(
            runtimeDirectory: runtime, id: "job-2147483000-abc", size: 1 << 20, inodes: 64, uid: 2_000_999,
            gid: 2_000_999)
        let mine = try JobWorkspace.create(
            runtimeDirectory: runtime, id: "job-\(getpid())-abc", size: 1 << 20, inodes: 64, uid: 2_000_999,
            gid: 2_000_999)
        defer { mine.remove() }
        JobWorkspace.sweepStale(runtimeDirectory: runtime)
        #expect(!FileManager.default.fileExists(atPath: stale.directory))
        #expect(!(readWholeFileForTest("/proc/self/mountinfo") ?? "").contains(stale.directory))
        #expect(FileManager.default.fileExists(atPath: mine.directory))
    }

    /// A finished job's workspace is removed off its path: unmounted and gone once the clean-up queue has drained.
    @Test func workspacesQueuedForCleanupAreUnmountedAndRemoved() throws {
        let runtime = NSTemporaryDirectory() + "crucible-ws-remover-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: runtime) }
        let workspaces = try (0..<3).map { index in
            try JobWorkspace.create(
                runtimeDirectory: runtime, id: "job-\(getpid())-remover-\(index)", size: 1 << 20, inodes: 64,
                uid: 2_000_999, gid: 2_000_999)
        }
        for workspace in workspaces {
            try workspace.write("solution.py", "x = 1\n")
            CleanupQueue.shared.add { workspace.remove() }
        }
        CleanupQueue.shared.drain()
        let mounts = readWholeFileForTest("/proc/self/mountinfo") ?? ""
        for workspace in workspaces {
            #expect(!FileManager.default.fileExists(atPath: workspace.directory))
            #expect(!mounts.contains(workspace.directory))
        }
    }

    func readWholeFileForTest(_ path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        return String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
    }
}
