import ArgumentParser
import ControlPlane
import CrucibleAPI
import Foundation
import Sandbox
import Toolchains

/// `crucible exec`: evaluate one candidate locally, no control plane.
struct ExecCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec",
        abstract: "Evaluate one candidate on one task locally and print the job result.",
        discussion: "Exit status: 0 passed, 1 not passed, 2 bad input, 125 the node could not evaluate it."
    )

    @Option(help: "Task file (JSON, the task format of DESIGN.md).")
    var task: String
    @Option(help: "Candidate file (JSON: task_id, model, files, metadata).")
    var candidate: String?
    @Flag(help: "Evaluate the task's reference solution instead of a candidate.")
    var reference = false
    @OptionGroup var policyOptions: PolicyOptions
    @Flag(help: "Print the job result as JSON.")
    var json = false

    func validate() throws {
        guard (candidate == nil) != !reference else {
            throw ValidationError("give exactly one of --candidate FILE or --reference")
        }
    }

    func run() async throws {
        SignalGuard.install()
        let taskSpec: TaskSpec
        let files: FileMap
        let model: String
        var metadata = CandidateMetadata()
        do {
            taskSpec = try TaskFiles.readTask(task)
            if let candidate {
                let loaded = try TaskFiles.readCandidate(candidate)
                guard loaded.taskID == taskSpec.id else {
                    throw ToolchainError.invalidInput(
                        field: "\(candidate): task_id",
                        message: "'\(loaded.taskID)' is not the task's id '\(taskSpec.id)'")
                }
                files = loaded.files
                model = loaded.model
                metadata = loaded.metadata
            } else {
                guard let solution = taskSpec.reference, !solution.isEmpty else {
                    throw ToolchainError.invalidInput(
                        field: "\(task): reference", message: "the task has no reference solution")
                }
                files = solution
                model = "reference"
            }
        } catch let error as ToolchainError {
            printError("crucible: \(error)")
            throw ExitCode(2)
        }
        let catalog: ToolchainCatalog
        do {
            catalog = try ToolchainCatalog.locate()
        } catch {
            printError("crucible: \(error)")
            throw ExitCode(125)
        }
        // What the control plane would refuse with 400 is bad input here too: every problem, then exit 2.
        // (The task's own check covers its reference.)
        var problems = catalog.issues(task: taskSpec, at: .root).map { (task, $0) }
        if let candidate {
            problems += catalog.issues(candidateFiles: files, task: taskSpec, at: FieldPath().field("files")).map {
                (candidate, $0)
            }
        }
        if !problems.isEmpty {
            for (file, issue) in problems {
                printError("crucible: \(file): \(issue.field.map { "\($0): " } ?? "")\(issue.message)")
            }
            throw ExitCode(2)
        }
        var result: JobResult
        do {
            let policy = try policyOptions.load()
            let runner = try SandboxRunner(logger: CLILogging.logger("crucible.exec"))
            // An image this node has not built is the command line's problem (exit 2), said before
            // anything runs; the Evaluator alone (the agent) reports it as an errored job.
            _ = try runner.images.root(for: policy.image)
            let evaluator = Evaluator(
                runner: runner, catalog: catalog, policy: policy, logger: CLILogging.logger("crucible.exec"))
            result = await evaluator.evaluate(task: taskSpec, candidateFiles: files, model: model)
        } catch let error as SandboxError {
            throw CLIError.fail(error)
        } catch let error as ToolchainError {
            printError("crucible: \(error)")
            throw ExitCode(125)
        }
        SignalGuard.exitIfSignalled()
        // Scored as the control plane would, with the default weights. Efficiency needs the reference's time on
        // this node: known when the reference itself ran, otherwise null rather than guessed.
        let candidateValue = Candidate(taskID: taskSpec.id, model: model, files: files, metadata: metadata)
        let ownTestTime = result.steps.last { $0.name == .test }?.cpuTimeS
        let outcome = JobScoring.outcome(
            result: result, task: taskSpec, candidate: candidateValue,
            referenceCPUTimeS: reference ? ownTestTime : nil)
        result.score = try? JobScoring.score(outcome, weights: .defaults)
        if json {
            print(String(decoding: (try? CrucibleJSON.encode(result, pretty: true)) ?? Data(), as: UTF8.self))
        } else {
            print(JobSummary.render(result))
        }
        switch result.verdict {
        case .passed: return
        case .errored:
            printError("crucible: could not evaluate: \(result.error ?? "unknown error")")
            throw ExitCode(125)
        default: throw ExitCode(1)
        }
    }
}

/// A job result for a person: verdict, steps, failing tests, findings.
enum JobSummary {
    static func render(_ result: JobResult) -> String {
        var lines = [
            "\(result.taskID) (\(result.model)): \(result.verdict.rawValue), \(result.testsPassed)/\(result.testsTotal) tests passed"
        ]
        if let error = result.error { lines.append("  error: \(error)") }
        for step in result.steps {
            lines.append(
                String(
                    format: "  %@: %@ in %.2fs (cpu %.2fs)", step.name.rawValue, step.status.rawValue, step.wallTimeS,
                    step.cpuTimeS))
        }
        for test in result.tests where test.status != .passed {
            lines.append("  \(test.status.rawValue): \(test.name)\(test.message.map { " — \($0.prefix(200))" } ?? "")")
        }
        for finding in result.findings.prefix(20) {
            lines.append(
                "  \(finding.tool) \(finding.rule) \(finding.path ?? ""):\(finding.line.map(String.init) ?? "") \(finding.message)"
            )
        }
        return lines.joined(separator: "\n")
    }
}
