import CrucibleAPI
import Foundation
import Sandbox

/// Runs a toolchain's steps for one job, each in a fresh sandbox over the job's workspace.
struct StepRunner: Sendable {
    let runner: SandboxRunner
    let toolchain: ToolchainDefinition
    let mode: ToolchainDefinition.Mode
    let workspace: JobWorkspace
    let base: SandboxRequest
    let task: TaskSpec
    let candidateFiles: [String]
    /// The toolchain's scaffold files (workspace path -> content), as laid out.
    let scaffoldFiles: [String: String]

    struct Outcome {
        var step: StepResult
        var sandbox: SandboxResult
        var verdict: ToolchainDefinition.Outcome
    }

    struct TestOutcome {
        var steps: [StepResult]
        var tests: [TestResult]
        var verdict: Verdict
        /// Set when the toolchain, not the candidate, failed.
        var error: String?
    }

    /// Runs one step. A command the sandbox cannot start (a missing tool) is the node's fault.
    func run(_ step: ToolchainDefinition.Step, name: StepName, stdin: [UInt8]? = nil) async throws -> Outcome {
        try restoreScaffold()
        let request = makeRequest(argv: step.argv, env: step.env, limits: step.limits, stdin: stdin)
        let result = try await runSandbox(request)
        let verdict = Self.outcome(result, table: step.exitCodes)
        return Outcome(step: stepResult(name, result), sandbox: result, verdict: verdict)
    }

    func runTests() async throws -> TestOutcome {
        if task.testMode == .io { return try await runCases() }
        try removeStaleReport()
        return judge(try await run(mode.test, name: .test))
    }

    /// The build and the test in one sandbox (the mode's `build_then_test`): the build's outcome, and the
    /// test's when the build got through. Reported as two steps, each with its own usage and output.
    func runBuildThenTest(_ combined: ToolchainDefinition.CombinedStep, build: ToolchainDefinition.Step)
        async throws -> (build: Outcome, test: TestOutcome?)
    {
        try restoreScaffold()
        try removeStaleReport()
        let marker = "<crucible: build done \(UUID().uuidString)>"
        var request = makeRequest(
            argv: combined.argv, env: mode.test.env, limits: mode.test.limits, stdin: nil, marker: marker)
        let buildLimits = toolchain.stepPolicy(
            base.policy, env: build.env, limits: build.limits, task: task.limits
        ).limits
        request.split = StageSplit(
            marker: Array(marker.utf8), firstWallTime: buildLimits.wallTime, firstCPUTime: buildLimits.cpuTime)
        let result = try await runSandbox(request)
        guard let first = result.firstStage else {
            // It never got past the build: the whole sandbox was the build step.
            let verdict = Self.outcome(result, table: build.exitCodes)
            return (Outcome(step: stepResult(.build, result), sandbox: result, verdict: verdict), nil)
        }
        // The command wrote the marker only once the build had succeeded.
        let built = SandboxResult(
            status: .ok, exitCode: 0, signal: nil, cpuTimeS: first.cpuTimeS, wallTimeS: first.wallTimeS,
            peakMemoryBytes: first.peakMemoryBytes, limitsHit: [], stdoutBytes: first.stdoutBytes,
            stderrBytes: first.stderrBytes, stdoutTruncated: false, stderrTruncated: false)
        let tested = Self.outcome(result, table: mode.test.exitCodes)
        return (
            Outcome(step: stepResult(.build, built), sandbox: built, verdict: .ok),
            judge(Outcome(step: stepResult(.test, result), sandbox: result, verdict: tested))
        )
    }

    /// A report left by the candidate's code in an earlier step must never be read as this one's.
    private func removeStaleReport() throws {
        guard let report = mode.test.result?.report else { return }
        do {
            try workspace.removeFile(report)
        } catch {
            throw ToolchainError.tampered(
                "the candidate's code replaced the directory of \(report); the tests cannot report")
        }
    }

    /// What a step's exit code means (a program killed by a signal or a limit failed).
    private static func outcome(_ result: SandboxResult, table: [String: String]?) -> ToolchainDefinition.Outcome {
        result.exitCode.map { ToolchainDefinition.outcome(exitCode: $0, table: table) } ?? .fail
    }

    /// The tests' results and the job's verdict from a finished test step.
    private func judge(_ outcome: Outcome) -> TestOutcome {
        var tests: [TestResult] = []
        if let spec = mode.test.result {
            let report = spec.report.flatMap { workspace.read($0) } ?? outcome.sandbox.stdout
            tests = ReportReading.tests(format: spec.parser, report: report, naming: spec.name)
            let programFailed =
                outcome.verdict != .ok && !tests.contains { $0.status == .failed || $0.status == .error }
            if spec.fallback == "exit-code" || spec.parser == "exit-code", tests.isEmpty || programFailed {
                // The exit code decides: a program that failed without naming a failing check still failed.
                tests.append(
                    TestResult(
                        name: "program", status: outcome.verdict == .ok ? .passed : .failed,
                        durationS: outcome.sandbox.wallTimeS,
                        message: outcome.verdict == .ok
                            ? nil : ReportReading.tail(outcome.sandbox.stderr + outcome.sandbox.stdout)))
            }
        }
        if tests.isEmpty {
            // Make the failure visible: the runner produced nothing to read.
            tests = [
                TestResult(
                    name: "(no test results)", status: .error, durationS: nil,
                    message: ReportReading.tail(outcome.sandbox.stdout + outcome.sandbox.stderr))
            ]
        }
        let limited = Self.endedByLimit(outcome.sandbox)
        let verdict: Verdict
        var error: String?
        if limited {
            verdict = .timeout
        } else if outcome.verdict == .error {
            verdict = .errored
            error =
                "the test runner failed in the toolchain itself (exit \(outcome.step.exitCode ?? -1)); see its stderr"
        } else if outcome.verdict == .ok, outcome.sandbox.status == .ok,
            tests.allSatisfy({ $0.status == .passed || $0.status == .skipped }),
            tests.contains(where: { $0.status == .passed })
        {
            verdict = .passed
        } else {
            verdict = .failed
        }
        return TestOutcome(steps: [outcome.step], tests: tests, verdict: verdict, error: error)
    }

    /// io mode: the program once per case, its stdout compared with the expected one after trimming
    /// trailing white space.
    private func runCases() async throws -> TestOutcome {
        var steps: [StepResult] = []
        var tests: [TestResult] = []
        var timedOut = false
        for (index, testCase) in task.ioCases.enumerated() {
            let outcome = try await run(mode.test, name: .test, stdin: Array(testCase.stdin.utf8))
            steps.append(outcome.step)
            let name = "case \(index + 1)"
            let limited = Self.endedByLimit(outcome.sandbox)
            timedOut = timedOut || limited
            let got = Self.trimmed(outcome.sandbox.stdout)
            let expected = Self.trimmed(testCase.expectedStdout)
            if limited {
                tests.append(
                    TestResult(
                        name: name, status: .failed, durationS: outcome.sandbox.wallTimeS,
                        message: "stopped by a limit (\(outcome.sandbox.status.rawValue))"))
            } else if outcome.sandbox.status != .ok {
                let message =
                    "exited \(outcome.sandbox.exitCode.map(String.init) ?? "by signal \(outcome.sandbox.signal ?? 0)"): "
                    + ReportReading.tail(outcome.sandbox.stderr)
                tests.append(
                    TestResult(name: name, status: .error, durationS: outcome.sandbox.wallTimeS, message: message))
            } else if got == expected {
                tests.append(TestResult(name: name, status: .passed, durationS: outcome.sandbox.wallTimeS))
            } else {
                let message =
                    "expected \(ReportReading.tail(expected, limit: 400).debugDescription), got \(ReportReading.tail(got, limit: 400).debugDescription)"
                tests.append(
                    TestResult(name: name, status: .failed, durationS: outcome.sandbox.wallTimeS, message: message))
            }
        }
        let verdict: Verdict =
            timedOut ? .timeout : (!tests.isEmpty && tests.allSatisfy { $0.status == .passed } ? .passed : .failed)
        return TestOutcome(steps: steps, tests: tests, verdict: verdict, error: nil)
    }

    /// DESIGN.md: `timeout` is "a limit ended the test step" (time, memory or output).
    static func endedByLimit(_ result: SandboxResult) -> Bool {
        switch result.status {
        case .cpuTimeLimit, .wallTimeLimit, .memoryLimit, .outputLimit: return true
        default: return false
        }
    }

    /// Output compared line by line with trailing white space removed, and trailing blank lines dropped.
    static func trimmed(_ text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            String(line.reversed().drop(while: { $0 == " " || $0 == "\t" || $0 == "\r" }).reversed())
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.joined(separator: "\n")
    }

    func runQuality(_ tool: ToolchainDefinition.QualityTool) async throws -> (StepResult, [Finding]) {
        try restoreScaffold()
        let request = makeRequest(argv: tool.argv, env: tool.env, limits: tool.limits, stdin: nil)
        let result = try await runSandbox(request)
        let output = tool.findings.stream == "stderr" ? result.stderr : result.stdout
        let findings = ReportReading.findings(
            format: tool.findings.parser, output: output, tool: tool.tool,
            only: tool.findings.onlyPaths == nil ? nil : Set(candidateFiles))
        return (stepResult(.quality, result), findings)
    }

    /// The toolchain's own files (lint configs, build manifests) as they should be, before every
    /// step: code that ran in an earlier step may have edited them.
    private func restoreScaffold() throws {
        for (path, wanted) in scaffoldFiles.sorted(by: { $0.key < $1.key }) {
            if workspace.read(path) != wanted {
                do {
                    try workspace.removeFile(path)
                    try workspace.write(path, wanted)
                } catch {
                    throw ToolchainError.tampered(
                        "the candidate's code replaced \(path) or its directory; the toolchain cannot run")
                }
            }
        }
    }

    private func runSandbox(_ request: SandboxRequest) async throws -> SandboxResult {
        do {
            return try await runner.run(request)
        } catch SandboxError.setupFailed(let step, let code, let detail) where step == "execve" && code == ENOENT {
            let image = request.policy.image
            if image != ImageStore.host {
                throw ToolchainError.infrastructure(
                    "the \(toolchain.language) toolchain is not in the image \(image) (\(detail)); add its packages to "
                        + "images/\(image).yaml and run `crucible images build \(image)`")
            }
            throw ToolchainError.infrastructure(
                "the \(toolchain.language) toolchain is not installed on this node (\(detail)); run scripts/install-toolchains.sh"
            )
        }
    }

    private func makeRequest(
        argv: [String], env: [String: String]?, limits: StepLimits?, stdin: [UInt8]?, marker: String? = nil
    ) -> SandboxRequest {
        var request = base
        request.command = expand(argv, marker: marker)
        request.policy = toolchain.stepPolicy(base.policy, env: env, limits: limits, task: task.limits)
        request.stdin = stdin.map { .bytes($0) } ?? .none
        return request
    }

    /// {sources}, {tests} and {candidate_sources} become the workspace's files, one argument each;
    /// {test_argv} the test step's command, and {marker} the marker of a `build_then_test`.
    func expand(_ argv: [String], marker: String? = nil) -> [String] {
        let top = workspace.topLevelFiles()
        let sources = top.filter { file in toolchain.workspace.sources.contains { globMatches($0, file) } }
        let candidateSources = candidateFiles.filter { file in
            toolchain.workspace.sources.contains { globMatches($0, file) }
        }
        return argv.flatMap { argument -> [String] in
            switch argument {
            case "{sources}": return sources
            case "{tests}": return mode.tests
            case "{solution}": return mode.solution
            case "{candidate_sources}": return candidateSources.isEmpty ? mode.solution : candidateSources
            case "{test_argv}": return expand(mode.test.argv)
            case "{marker}" where marker != nil: return marker.map { [$0] } ?? []
            default: return [argument]
            }
        }
    }

    private func stepResult(_ name: StepName, _ result: SandboxResult) -> StepResult {
        StepResult(
            name: name, status: SandboxStatus(rawValue: result.status.rawValue) ?? .exited,
            exitCode: result.exitCode.map(Int.init), cpuTimeS: result.cpuTimeS, wallTimeS: result.wallTimeS,
            peakMemoryBytes: Int(result.peakMemoryBytes), stdout: ReportReading.tail(result.stdout, limit: 65536),
            stderr: ReportReading.tail(result.stderr, limit: 65536), signal: result.signal.map(Int.init),
            limitsHit: result.limitsHit.isEmpty
                ? nil : result.limitsHit.compactMap { LimitName(rawValue: $0.rawValue) },
            stdoutTruncated: result.stdoutTruncated ? true : nil, stderrTruncated: result.stderrTruncated ? true : nil)
    }
}

extension TaskLimits: TaskLimitsOverride {
    /// A task's own limits (seconds, bytes) as sandbox limits; absent ones keep `base`'s values.
    public func limits(over base: Limits) -> Limits {
        var limits = base
        if let value = cpuTimeS { limits.cpuTime = value }
        if let value = wallTimeS { limits.wallTime = value }
        if let value = memoryBytes { limits.memory = UInt64(value) }
        if let value = pids { limits.pids = value }
        if let value = fileSizeBytes { limits.fileSize = UInt64(value) }
        if let value = outputBytes { limits.output = UInt64(value) }
        return limits
    }
}
