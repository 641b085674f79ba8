import CrucibleAPI
import Foundation
import Logging
import Sandbox

/// Evaluates one candidate on one task: lays out the workspace, runs build, test and quality steps,
/// each in a fresh sandbox, and returns the job result of DESIGN.md (without a score).
///
/// The verdict blames the candidate only for what the candidate did: a missing toolchain, a broken
/// definition or a sandbox that could not be built is `errored`, never `failed`.
public struct Evaluator: Sendable {
    public let runner: SandboxRunner
    public let catalog: ToolchainCatalog
    public let policy: SandboxPolicy
    let logger: Logger

    public init(runner: SandboxRunner, catalog: ToolchainCatalog, policy: SandboxPolicy, logger: Logger) {
        self.runner = runner
        self.catalog = catalog
        self.policy = policy
        self.logger = logger
        JobWorkspace.sweepStale(runtimeDirectory: runner.runtimeDirectory)
    }

    /// The workspace of DESIGN.md: the task's files, then the candidate's over them, then the hidden
    /// tests over those (a candidate can never replace a test).
    ///
    /// A test-generation task's candidate supplies tests: they must pass on the task's implementation,
    /// then each mutant (a wrong implementation) should make them fail. The verdict is `passed` only
    /// when every mutant is killed (tasks/README.md).
    ///
    /// `progress`, when given, hears of each step and each test as soon as it is known (a node agent streams
    /// them to the control plane); mutant runs are not reported, as they are not part of the result's steps.
    /// A cancelled task runs no further step and comes back `errored`.
    /// `quality: false` skips the lint step (a run that weighs quality 0 has no use for it).
    public func evaluate(
        task: TaskSpec, candidateFiles: FileMap, model: String, slot: Int = 0, quality: Bool = true,
        progress: (@Sendable (EvaluationProgress) -> Void)? = nil
    ) async -> JobResult {
        var job = await evaluateOnce(
            task: task, candidateFiles: candidateFiles, model: model, slot: slot, quality: quality, progress: progress)
        guard task.scenario == .testGeneration, let mutants = task.mutants, !mutants.isEmpty, job.verdict == .passed
        else {
            return job.result()
        }
        var outcomes: [MutantOutcome] = []
        for mutant in mutants {
            let run = await evaluateOnce(
                task: task, candidateFiles: candidateFiles, model: model, slot: slot, overlay: mutant.files,
                quality: false)
            if run.verdict == .errored {
                job.fail(.infrastructure("mutant \(mutant.id): \(run.error ?? "could not be evaluated")"))
                return job.result()
            }
            let failing = run.tests.filter { $0.status == .failed || $0.status == .error }.map(\.name)
            outcomes.append(
                MutantOutcome(
                    id: mutant.id, killed: run.verdict != .passed, verdict: run.verdict, failingTests: failing))
        }
        job.mutants = outcomes
        job.verdict = outcomes.allSatisfy(\.killed) ? .passed : .failed
        return job.result()
    }

    /// One build, test and (optionally) quality pass; `overlay` files go over the workspace last.
    func evaluateOnce(
        task: TaskSpec, candidateFiles: FileMap, model: String, slot: Int, overlay: FileMap? = nil,
        quality: Bool = true,
        progress: (@Sendable (EvaluationProgress) -> Void)? = nil
    ) async -> JobContext {
        var job = JobContext(task: task, model: model, progress: progress)
        do {
            // An image the node has not built is the node's problem, never the candidate's: the job
            // is errored with the command that builds it, before a workspace is made.
            _ = try runner.images.root(for: policy.image)
            // A built image has only the toolchains its definition installs; a job of another
            // language would fail in ways that look like the candidate's (`sh` is there, `go` is not).
            let language = task.language.rawValue
            if let manifest = runner.images.manifest(policy.image), !manifest.toolchains.contains(language) {
                let has = manifest.toolchains.joined(separator: ", ")
                throw ToolchainError.infrastructure(
                    "the image \(policy.image) has no \(language) toolchain (it has: \(has)); add its packages to "
                        + "images/\(policy.image).yaml and run `crucible images build \(policy.image)`, or use an image "
                        + "that has it")
            }
            let toolchain = try catalog.toolchain(task.language.rawValue)
            // The control plane refuses such a task or candidate when it arrives; one that still gets here
            // (sent to a control plane that could not read the toolchains) is refused again, as bad input.
            // (Not the reference: a candidate's job does not depend on it.)
            var checkedTask = task
            checkedTask.reference = nil
            let problems =
                catalog.issues(task: checkedTask, at: FieldPath().field("task"))
                + catalog.issues(candidateFiles: candidateFiles, task: task, at: FieldPath().field("candidate.files"))
            if let problem = problems.first {
                throw ToolchainError.invalidInput(field: problem.field ?? "task", message: problem.message)
            }
            guard let mode = toolchain.modes[task.testMode.rawValue] else {
                throw ToolchainError.invalidInput(
                    field: "task.test_mode",
                    message: "the \(task.language.rawValue) toolchain has no \(task.testMode.rawValue) mode")
            }
            let candidate = try checkedCandidateFiles(candidateFiles, task: task)
            var request = SandboxRequest(command: [], policy: policy, slot: slot)
            let workspace = try JobWorkspace.create(
                runtimeDirectory: runner.runtimeDirectory, id: "job-\(getpid())-\(UUID().uuidString.prefix(8))",
                size: policy.limits.workSize, inodes: policy.limits.inodes, uid: request.hostUID, gid: request.hostGID)
            // Every sandbox of the job has ended by then; unmounting and removing it is off the job's path.
            defer { CleanupQueue.shared.add { workspace.remove() } }
            let scaffold = try scaffoldFiles(toolchain)
            try lay(out: workspace, task: task, candidate: candidate, toolchain: toolchain, scaffold: scaffold)
            for (path, content) in (overlay ?? [:]).sorted(by: { $0.key < $1.key }) {
                try workspace.write(path, content)
            }
            let missing = mode.requires.filter {
                !FileManager.default.fileExists(atPath: workspace.directory + "/" + $0)
            }
            if let absent = missing.first {
                guard toolchain.candidateSupplies(absent, mode: mode, scenario: task.scenario) else {
                    throw ToolchainError.invalidInput(
                        field: "task \(task.id)", message: "the workspace has no \(absent); the task must ship it")
                }
                // The candidate did not supply its solution: it cannot build.
                job.record(
                    StepResult(
                        name: .build, status: .exited, exitCode: 1, cpuTimeS: 0, wallTimeS: 0, peakMemoryBytes: 0,
                        stderr: "\(absent) is missing: the candidate must supply it"))
                job.verdict = .buildFailed
                return job
            }
            request.workdir = workspace.directory
            request.extraMounts = toolchain.mounts.map {
                MountRule(
                    target: $0.path, kind: .bind, source: $0.path, readOnly: true, optional: true, size: nil, line: nil)
            }
            let steps = StepRunner(
                runner: runner, toolchain: toolchain, mode: mode, workspace: workspace, base: request, task: task,
                candidateFiles: candidate.keys.sorted(), scaffoldFiles: scaffold)
            try await run(steps, job: &job, quality: quality)
        } catch ToolchainError.tampered(let message) {
            job.verdict = .failed
            job.record(TestResult(name: "(workspace)", status: .error, durationS: nil, message: message))
        } catch is CancellationError {
            job.fail(.infrastructure("the evaluation was cancelled before it finished"))
        } catch let error as ToolchainError {
            job.fail(error)
        } catch let error as SandboxError {
            job.fail(.infrastructure("\(error)"))
        } catch {
            job.fail(.infrastructure("\(error)"))
        }
        return job
    }

    private func run(_ steps: StepRunner, job: inout JobContext, quality: Bool) async throws {
        // Cancelling the job kills the step running then (the sandbox runner does) and starts no further one.
        try Task.checkCancellation()
        let test: StepRunner.TestOutcome
        if let build = steps.mode.build, let combined = steps.mode.buildThenTest {
            let (built, tested) = try await steps.runBuildThenTest(combined, build: build)
            guard try record(build: built, job: &job), let tested else { return }
            test = tested
        } else {
            if let build = steps.mode.build {
                guard try record(build: try await steps.run(build, name: .build), job: &job) else { return }
                try Task.checkCancellation()
            }
            test = try await steps.runTests()
        }
        for step in test.steps { job.record(step) }
        for result in test.tests { job.record(result) }
        job.verdict = test.verdict
        if let message = test.error { throw ToolchainError.infrastructure(message) }
        // Quality only for code that built: findings on code that does not compile say little.
        for tool in steps.toolchain.quality where quality {
            try Task.checkCancellation()
            let (step, findings) = try await steps.runQuality(tool)
            job.record(step)
            job.findings += findings
        }
    }

    /// Records the build step; returns whether the job goes on to its tests.
    private func record(build outcome: StepRunner.Outcome, job: inout JobContext) throws -> Bool {
        job.record(outcome.step)
        switch outcome.verdict {
        case .ok:
            return true
        case .fail:
            job.verdict = .buildFailed
            return false
        case .error:
            throw ToolchainError.infrastructure(
                "the build step failed in the toolchain itself (exit \(outcome.step.exitCode ?? -1)); see its stderr")
        }
    }

    /// Candidate files: relative, clean, small, never over a hidden test. Which names the toolchain takes is
    /// `SubmissionCheck`'s, asked before.
    func checkedCandidateFiles(_ files: FileMap, task: TaskSpec) throws -> FileMap {
        var checked: FileMap = [:]
        for (path, content) in files {
            let field = "candidate.files[\"\(path)\"]"
            let parts = path.split(separator: "/", omittingEmptySubsequences: false)
            guard !path.isEmpty, !path.hasPrefix("/"), !parts.contains(".."), !parts.contains(""),
                !parts.contains("."), !path.contains("\0"), path.utf8.count <= 256
            else {
                throw ToolchainError.invalidInput(
                    field: field, message: "a file path must be relative, without '..' or empty parts")
            }
            guard content.utf8.count <= 1 << 20 else {
                throw ToolchainError.invalidInput(field: field, message: "larger than 1 MiB")
            }
            // A hidden test is never replaced: the tests are written last and win.
            if task.tests[path] != nil { continue }
            checked[path] = content
        }
        return checked
    }

    /// The toolchain's scaffold files (path in the workspace -> content), read once per job: laid out
    /// now and restored before every step.
    private func scaffoldFiles(_ toolchain: ToolchainDefinition) throws -> [String: String] {
        var files: [String: String] = [:]
        for entry in toolchain.workspace.scaffold {
            guard let from = entry.from else { continue }
            let source = catalog.scaffoldDirectory + "/" + from
            guard let content = try? String(contentsOfFile: source, encoding: .utf8) else {
                throw ToolchainError.infrastructure("the scaffold file \(source) is missing; reinstall the toolchains")
            }
            files[entry.path] = content
        }
        return files
    }

    private func lay(
        out workspace: JobWorkspace, task: TaskSpec, candidate: FileMap, toolchain: ToolchainDefinition,
        scaffold: [String: String]
    ) throws {
        try workspace.makeDirectories(".crucible")
        for (path, content) in task.files.sorted(by: { $0.key < $1.key }) { try workspace.write(path, content) }
        for (path, content) in candidate.sorted(by: { $0.key < $1.key }) { try workspace.write(path, content) }
        for (path, content) in task.tests.sorted(by: { $0.key < $1.key }) { try workspace.write(path, content) }
        for entry in toolchain.workspace.scaffold {
            if let target = entry.symlink {
                try workspace.symlink(entry.path, to: target)
            } else if let content = scaffold[entry.path] {
                try workspace.write(entry.path, content)
            }
        }
    }
}

/// What an evaluation reports while it runs: each step once it has ended, each test once its step has.
public enum EvaluationProgress: Sendable, Hashable {
    case step(StepResult)
    case test(TestResult)
}

/// The job result being assembled.
struct JobContext {
    let task: TaskSpec
    let model: String
    let progress: (@Sendable (EvaluationProgress) -> Void)?
    var verdict: Verdict = .errored
    var error: String?
    var steps: [StepResult] = []
    var tests: [TestResult] = []
    var findings: [Finding] = []
    var mutants: [MutantOutcome]?

    init(task: TaskSpec, model: String, progress: (@Sendable (EvaluationProgress) -> Void)? = nil) {
        self.task = task
        self.model = model
        self.progress = progress
    }

    mutating func record(_ step: StepResult) {
        steps.append(step)
        progress?(.step(step))
    }

    mutating func record(_ test: TestResult) {
        tests.append(test)
        progress?(.test(test))
    }

    mutating func fail(_ error: ToolchainError) {
        verdict = .errored
        self.error = error.description
    }

    func result() -> JobResult {
        let passed = tests.filter { $0.status == .passed }.count
        let counted = tests.filter { $0.status != .skipped }.count
        var result = JobResult(
            taskID: task.id, model: model, verdict: verdict,
            error: verdict == .errored ? (error ?? "unknown error") : nil,
            steps: steps, tests: tests, testsPassed: passed, testsTotal: counted, findings: findings,
            usage: ResourceUsage(steps: steps), score: nil)
        if let mutants {
            result.mutants = mutants
            result.mutantsKilled = mutants.filter(\.killed).count
            result.mutantsTotal = mutants.count
        }
        return result
    }
}
