import ArgumentParser
import CrucibleAPI
import Foundation
import Sandbox
import Toolchains

struct ToolchainsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "toolchains", abstract: "List the toolchains and check that they judge correctly.",
        subcommands: [ToolchainsList.self, ToolchainsCheck.self])
}

struct ToolchainsList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "Languages, their versions, and what is missing on this node.")

    func run() throws {
        let catalog: ToolchainCatalog
        do {
            catalog = try ToolchainCatalog.locate()
        } catch let error as ToolchainError {
            printError("crucible: \(error)")
            throw ExitCode(2)
        }
        for language in ToolchainCatalog.languages {
            guard let toolchain = catalog.toolchains[language] else {
                print("\(language): no definition in \(catalog.directory)")
                continue
            }
            let missing = ToolchainInventory.missingCommands(toolchain)
            let versions = (toolchain.versions ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            let state =
                missing.isEmpty
                ? "ready" : "MISSING \(missing.joined(separator: ", ")) (run scripts/install-toolchains.sh)"
            print("\(language): \(toolchain.displayName) [\(versions.joined(separator: ", "))] — \(state)")
        }
    }
}

struct ToolchainsCheck: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Run each toolchain's sample tasks: references pass, wrong answers fail, broken code does not build.",
        discussion: "Exit status: 0 when every sample got the verdict it expects, 1 otherwise.")

    @Argument(help: "Languages to check (default: all).")
    var languages: [String] = []
    @OptionGroup var policyOptions: PolicyOptions

    func run() async throws {
        SignalGuard.install()
        let rows: [[String]]
        do {
            let catalog = try ToolchainCatalog.locate()
            let bank = try TaskBank.locate()
            let runner = try SandboxRunner(logger: CLILogging.logger("crucible.toolchains"))
            let policy = try policyOptions.load()
            _ = try runner.images.root(for: policy.image)
            let evaluator = Evaluator(
                runner: runner, catalog: catalog, policy: policy, logger: CLILogging.logger("crucible.toolchains"))
            let chosen = languages.isEmpty ? ToolchainCatalog.languages : languages
            for language in chosen where catalog.toolchains[language] == nil {
                throw ToolchainError.invalidInput(field: "languages", message: "unknown language '\(language)'")
            }
            var table = [["task", "model", "expected", "got", "result"]]
            for outcome in try await SampleCheck(evaluator: evaluator, bank: bank).run(languages: chosen) {
                table.append([
                    outcome.taskID, outcome.model, outcome.expected.rawValue,
                    outcome.got.verdict.rawValue + (outcome.got.error.map { " (\($0.prefix(80)))" } ?? ""),
                    outcome.matches ? "ok" : "WRONG",
                ])
            }
            rows = table
        } catch let error as ToolchainError {
            printError("crucible: \(error)")
            throw ExitCode(2)
        } catch let error as SandboxError {
            throw CLIError.fail(error)
        }
        let widths = (0..<5).map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            print(
                row.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                    .joined(separator: "  "))
        }
        let wrong = rows.dropFirst().filter { $0[4] != "ok" }
        print(wrong.isEmpty ? "\nEvery sample got its expected verdict." : "\n\(wrong.count) samples did not.")
        if !wrong.isEmpty { throw ExitCode(1) }
    }
}
