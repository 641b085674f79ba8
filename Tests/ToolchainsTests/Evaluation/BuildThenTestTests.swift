import CrucibleAPI
import Foundation
import Testing

@testable import Toolchains

/// Python's build and test in one sandbox and one interpreter (`build_then_test`): the test program sees
/// what `python3 test_solution.py` would show it, and the job result still has a build and a test step, each
/// with its own output, time and limits.
@Suite(.enabled(if: ToolchainFixtures.available, "needs root and the toolchains (make test installs them)"))
struct BuildThenTestTests {
    static let slot = 5100

    static func task(test: String, limits: TaskLimits = TaskLimits()) -> TaskSpec {
        TaskSpec(
            id: "py-two-steps", language: .python, difficulty: .easy, prompt: "p", tests: ["test_solution.py": test],
            testMode: .program, limits: limits)
    }

    static func evaluate(_ task: TaskSpec, solution: String) async throws -> JobResult {
        let check = try ToolchainFixtures.sampleCheck()
        return await check.evaluator.evaluate(
            task: task, candidateFiles: ["solution.py": solution], model: "m", slot: slot, quality: false)
    }

    @Test func theTestProgramRunsAsItWouldOnItsOwn() async throws {
        let test = """
            import sys
            from solution import double
            assert __name__ == "__main__", __name__
            assert __file__ == "/work/test_solution.py", __file__
            assert sys.argv == ["test_solution.py"], sys.argv
            assert sys.path[0] == "/work", sys.path
            assert sys.modules["__main__"].__dict__ is globals()
            import importlib.machinery, types
            assert type(sys.modules["__main__"]) is types.ModuleType
            assert type(__loader__) is importlib.machinery.SourceFileLoader, __loader__
            assert double(2) == 4
            print("ok 1 - double")
            print("to stderr", file=sys.stderr)
            """
        let result = try await Self.evaluate(Self.task(test: test), solution: "def double(x):\n    return 2 * x\n")
        #expect(result.verdict == .passed, "\(result.steps.map { $0.stderr })")
        #expect(result.steps.map(\.name) == [.build, .test])
        let build = try #require(result.steps.first)
        #expect(build.status == .ok && build.exitCode == 0)
        #expect(build.stdout.isEmpty && build.stderr.isEmpty)
        #expect(build.cpuTimeS > 0 && build.wallTimeS > 0 && build.peakMemoryBytes > 0)
        let step = try #require(result.steps.last)
        #expect(step.stdout == "ok 1 - double\n")
        #expect(step.stderr == "to stderr\n")
        #expect(result.tests.map(\.name) == ["double"])
    }

    /// The interpreter starts without `site` (-S); the program still sees the packages and builtins it adds.
    @Test func theTestProgramSeesWhatSiteWouldHaveAdded() async throws {
        let test = """
            import subprocess, sys
            plain = subprocess.run([sys.executable, "-c", "import sys; print(sys.path)"], capture_output=True,
                                   text=True, check=True).stdout
            assert repr(sys.path[1:]) == repr(eval(plain)[1:]), (sys.path, plain)
            import pytest  # Debian's, from /usr/lib/python3/dist-packages
            assert callable(help) and "copyright" in dir(__builtins__)
            print("ok 1 - site")
            exit(3)
            """
        let result = try await Self.evaluate(Self.task(test: test), solution: "x = 1\n")
        let step = try #require(result.steps.last)
        #expect(step.stdout == "ok 1 - site\n", "\(step.stderr)")
        #expect(step.exitCode == 3, "exit() is the builtin site adds: \(step.stderr)")
    }

    @Test func aFailingTestShowsItsOwnTracebackOnly() async throws {
        let test = "from solution import double\nassert double(2) == 5, 'double(2) is not 5'\n"
        let result = try await Self.evaluate(Self.task(test: test), solution: "def double(x):\n    return 2 * x\n")
        #expect(result.verdict == .failed)
        let step = try #require(result.steps.last)
        #expect(step.name == .test && step.exitCode == 1)
        #expect(step.stderr.hasPrefix("Traceback (most recent call last):\n  File \"/work/test_solution.py\", line 2"))
        #expect(step.stderr.contains("AssertionError: double(2) is not 5"))
        #expect(!step.stderr.contains("runpy") && !step.stderr.contains("<string>"))
    }

    @Test func aSyntaxErrorEndsTheJobAtItsBuild() async throws {
        let result = try await Self.evaluate(
            Self.task(test: "import solution\n"), solution: "def double(x)\n    return 2\n")
        #expect(result.verdict == .buildFailed)
        #expect(result.steps.map(\.name) == [.build])
        #expect(result.steps.first?.stderr.contains("SyntaxError") == true)
        #expect(result.steps.first?.stdout.isEmpty == true)
    }

    @Test func theTestsLimitsCountFromTheEndOfTheBuild() async throws {
        let test = "import solution\nwhile True:\n    pass\n"
        // A generous wall clock: on a busy test machine the loop may get far less than a core, and this is a test
        // of the CPU limit, not of the wall clock.
        let result = try await Self.evaluate(
            Self.task(test: test, limits: TaskLimits(cpuTimeS: 1, wallTimeS: 60)), solution: "x = 1\n")
        #expect(result.verdict == .timeout)
        #expect(result.steps.map(\.name) == [.build, .test])
        let step = try #require(result.steps.last)
        #expect(step.status == .cpuTimeLimit)
        #expect(step.cpuTimeS >= 1 && step.cpuTimeS < 2)
        #expect(result.steps.first?.status == .ok)
    }

    @Test func aDefinitionWithoutItsMarkerIsRefused() throws {
        let directory = NSTemporaryDirectory() + "crucible-toolchains-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let catalog = try ToolchainCatalog.locate()
        var text = try String(contentsOfFile: catalog.directory + "/python.yaml", encoding: .utf8)
        text = text.replacingOccurrences(of: "- \"{marker}\"", with: "- \"{tests}\"")
        try text.write(toFile: directory + "/python.yaml", atomically: true, encoding: .utf8)
        #expect {
            try ToolchainCatalog(directory: directory)
        } throws: { error in
            "\(error)".contains("modes.framework: build_then_test's argv must pass {marker}")
        }
    }
}

/// What `crucible policy show --toolchain python --step build` describes: the sandbox the build really runs in.
struct BuildThenTestPolicyTests {
    @Test func theBuildOfACombinedModeRunsUnderTheTestsLimitsButItsOwnTimes() throws {
        let python = try ToolchainCatalog.locate().toolchain("python")
        let build = try #require(python.step(mode: "framework", name: "build"))
        let test = try #require(python.step(mode: "framework", name: "test"))
        #expect(build.argv.contains("{marker}") && build.argv.contains("{test_argv}"))
        #expect(build.argv == test.argv)
        #expect(build.limits?.wallTimeS == 15 && build.limits?.cpuTimeS == 15)
        #expect(build.limits?.memoryMiB == 512 && build.limits?.pids == 64)
        #expect(test.limits?.wallTimeS == 60 && test.limits?.memoryMiB == 512)
        // io mode has no build_then_test: its build is its own sandbox.
        #expect(python.step(mode: "io", name: "build")?.limits?.memoryMiB == 256)
    }
}
