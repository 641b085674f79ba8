import Foundation
import Logging
import Testing

@testable import Sandbox

/// Which program sandboxes are cloned from: the small `crucible-spawner` beside crucible when only root can
/// change it, crucible itself otherwise.
struct SpawnerProgramTests {
    /// A directory and a file in it, both with the given modes; returns the file's path.
    private func program(mode: mode_t, directoryMode: mode_t = 0o755) throws -> String {
        let directory = try TestSupport.temporaryDirectory("spawner")
        let path = directory + "/crucible-spawner"
        try Data("#!/bin/sh\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(chmod(path, mode) == 0)
        #expect(chmod(directory, directoryMode) == 0)
        return path
    }

    @Test func takesAProgramOnlyItsOwnerCanChange() throws {
        let path = try program(mode: 0o755)
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let found = SpawnerProgram.open(path)
        #expect(found.isSmall)
        #expect(found.summary == path)
        // Run through the descriptor, above the four the spawner's start overwrites.
        #expect(found.descriptor > 3)
        #expect(found.path == "/proc/self/fd/\(found.descriptor)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: found.path) == path)
    }

    @Test(arguments: [
        (0o775 as mode_t, 0o755 as mode_t, "it is writable by group or others; chmod go-w it"),
        (0o757, 0o755, "it is writable by group or others"),
        (0o755, 0o777, "its directory is writable by group or others"),
        (0o644, 0o755, "is not executable; chmod 755 it"),
    ])
    func refusesAProgramOthersCouldChange(mode: mode_t, directoryMode: mode_t, problem: String) throws {
        let path = try program(mode: mode, directoryMode: directoryMode)
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let found = SpawnerProgram.open(path)
        #expect(!found.isSmall)
        #expect(found.path == "/proc/self/exe")
        #expect(found.summary.hasPrefix(path + " "), "names the file: \(found.summary)")
        #expect(found.summary.contains(problem), "\(found.summary)")
    }

    @Test func itsDescriptorLivesAsLongAsIt() throws {
        let path = try program(mode: 0o755)
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        var found: SpawnerProgram? = SpawnerProgram.open(path)
        let link = "/proc/self/fd/\(try #require(found?.descriptor))"
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == path)
        found = nil
        // The number may already be another test's descriptor, but never again this file's.
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: link)) != path, "closed with the program")
    }

    @Test func aMissingProgramMeansCrucibleItself() {
        let found = SpawnerProgram.open("/nonexistent/crucible-spawner")
        #expect(!found.isSmall)
        #expect(found.path == "/proc/self/exe")
        #expect(found.summary.contains("/nonexistent/crucible-spawner cannot be opened"), "\(found.summary)")
        #expect(found.summary.contains("install crucible-spawner there"), "\(found.summary)")
    }

    /// The build puts `crucible-spawner` beside this test bundle, as `make release` does beside crucible.
    @Test(.enabled(if: TestSupport.isRoot, "needs root to build sandboxes"))
    func sandboxesAreClonedFromTheInstalledProgram() async throws {
        let runner = try TestSupport.requireRunner()
        #expect(runner.spawner.program.isSmall, "\(runner.spawner.program.summary)")
        #expect(runner.spawnerDescription.hasSuffix("/crucible-spawner"), "\(runner.spawnerDescription)")
        let result = try await TestSupport.run("cat /proc/1/comm")
        #expect(result.stdout == "crucible-spawne\n", "the init is a copy of the spawner, named for it")
        let spawner = try #require(runner.spawner.processID)
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(spawner)/exe")
        #expect(executable.hasSuffix("/crucible-spawner"), "\(executable)")
    }

    /// An upgrade that replaced crucible but not crucible-spawner: the old program does not greet with this
    /// build's protocol (here it greets with nothing at all), so crucible clones from itself instead.
    @Test(.enabled(if: TestSupport.isRoot, "needs root to build sandboxes"))
    func aSpawnerOfAnotherBuildIsReplacedByCrucibleItself() async throws {
        let path = try program(mode: 0o755)
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let runner = try SandboxRunner(
            logger: Logger(label: "crucible.tests.spawner"), runtimeDirectory: "/run/crucible", images: .configured(),
            spawnerProgram: SpawnerProgram.open(path))
        #expect(runner.spawner.program.isSmall, "vetted, not yet run")
        try await Self.expectClonedFromCrucibleItself(runner)
        #expect(runner.spawnerDescription.contains("another build"), "\(runner.spawnerDescription)")
    }

    /// A sandbox of `runner` runs, its init a copy of a spawner that is this very program.
    static func expectClonedFromCrucibleItself(_ runner: SandboxRunner) async throws {
        let result = try await runner.run(
            SandboxRequest(
                command: ["/bin/cat", "/proc/1/comm"], policy: try TestSupport.defaultPolicy(), workdir: nil,
                stdin: .none, slot: TestSupport.freshSlot()))
        #expect(result.status == .ok)
        #expect(result.stdout == "crucible-spawne\n")
        #expect(runner.spawnerDescription.hasPrefix("cloned from crucible itself"), "\(runner.spawnerDescription)")
        let spawner = try #require(runner.spawner.processID)
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(spawner)/exe")
        let ownExecutable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        #expect(executable == ownExecutable)
    }

    @Test(.enabled(if: TestSupport.isRoot, "needs root to build sandboxes"))
    func withoutItSandboxesAreClonedFromCrucibleItself() async throws {
        let runner = try SandboxRunner(
            logger: Logger(label: "crucible.tests.spawner"), runtimeDirectory: "/run/crucible", images: .configured(),
            spawnerProgram: SpawnerProgram.open("/nonexistent/crucible-spawner"))
        #expect(runner.spawnerDescription.hasPrefix("cloned from crucible itself"), "\(runner.spawnerDescription)")
        try await Self.expectClonedFromCrucibleItself(runner)
    }
}
