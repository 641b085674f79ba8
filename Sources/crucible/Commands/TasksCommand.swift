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
        commandName: "humaneval", abstract: "HumanEval jsonl(.gz) into Python task files, one per problem.")

    @Argument(help: "HumanEval.jsonl or HumanEval.jsonl.gz.")
    var file: String
    @Option(help: "Directory to write the task files into.")
    var out = "tasks/humaneval"

    func run() throws {
        let tasks: [TaskSpec]
        do {
            tasks = try HumanEvalImport.records(fromJSONLines: HumanEvalImport.read(path: file)).map(HumanEvalImport.task)
            for task in tasks { try task.validate() }
        } catch let error as ToolchainError {
            printError("crucible: \(file): \(error)")
            throw ExitCode(2)
        } catch {
            printError("crucible: \(file): \(error)")
            throw ExitCode(2)
        }
        // Everything is checked before anything is written: a bad file changes nothing.
        do {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            for task in tasks {
                let data = try CrucibleJSON.encode(task, pretty: true)
                try data.write(to: URL(fileURLWithPath: out + "/" + task.id + ".json"), options: .atomic)
            }
        } catch {
            printError("crucible: cannot write into \(out): \(error)")
            throw ExitCode(1)
        }
        print("imported \(tasks.count) tasks into \(out)")
    }
}
