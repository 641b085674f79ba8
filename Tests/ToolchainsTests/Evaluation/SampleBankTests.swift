import CrucibleAPI
import Foundation
import Logging
import Sandbox
import Testing

@testable import Toolchains

/// Every language end to end, in real sandboxes with the real toolchains: the bank's references
/// pass, off-by-one answers fail naming their failing tests, broken code is build_failed, an endless
/// loop is a timeout, and a hostile candidate is contained.
/// One language at a time: eight compilers at once on two cores would turn verdicts into timeouts.
@Suite(
    .enabled(if: ToolchainFixtures.available, "needs root and the toolchains (make test installs them)"), .serialized)
struct SampleBankTests {
    @Test(arguments: ToolchainCatalog.languages)
    func referencesPassAndWrongAnswersFail(language: String) async throws {
        let check = try ToolchainFixtures.sampleCheck()
        let outcomes = try await check.run(
            languages: [language], models: ["reference", "off-by-one", "no-compile"],
            slot: ToolchainFixtures.slot(language))
        #expect(outcomes.count >= 6, "\(language) has too few samples")
        for outcome in outcomes {
            #expect(
                outcome.matches,
                "\(outcome.taskID) \(outcome.model): expected \(outcome.expected.rawValue), got \(outcome.got.verdict.rawValue) \(outcome.got.error ?? "") \(outcome.got.steps.map { "\($0.name.rawValue)=\($0.status.rawValue): \($0.stderr.suffix(300))" })"
            )
            if outcome.model == "off-by-one", outcome.got.verdict == .failed {
                if let mutants = outcome.got.mutants {
                    // Test-generation: weak tests pass on the implementation and let a mutant survive.
                    #expect(mutants.contains { !$0.killed }, "\(outcome.taskID): every mutant killed, yet failed")
                } else {
                    #expect(
                        outcome.got.tests.contains { $0.status == .failed || $0.status == .error },
                        "\(outcome.taskID): no failing test named")
                }
            }
            if outcome.model == "reference" {
                #expect(outcome.got.testsPassed == outcome.got.testsTotal && outcome.got.testsTotal > 0)
            }
            if outcome.model == "no-compile", outcome.got.verdict == .buildFailed {
                #expect(
                    !(outcome.got.steps.first?.stderr.isEmpty ?? true)
                        || !(outcome.got.steps.first?.stdout.isEmpty ?? true))
            }
        }
    }

    @Test(arguments: ToolchainCatalog.languages)
    func loopsTimeOutAndHostileCodeIsContained(language: String) async throws {
        let check = try ToolchainFixtures.sampleCheck()
        let bank = try TaskBank.locate()
        for model in ["looper", "hostile"] {
            guard
                let path = bank.taskFiles(language: language).first(where: { path in
                    (try? TaskFiles.readTask(path)).map {
                        bank.candidateFile(model: model, language: language, taskID: $0.id) != nil
                    } ?? false
                })
            else { continue }
            var task = try TaskFiles.readTask(path)
            // Endless loops end at the task's limits: keep them short here.
            task.limits.wallTimeS = 5
            task.limits.cpuTimeS = 5
            let file = try #require(bank.candidateFile(model: model, language: language, taskID: task.id))
            let outcome = try await check.check(
                task: task, candidateFile: file, model: model, slot: ToolchainFixtures.slot(language))
            #expect(outcome.got.verdict != .passed, "\(task.id) \(model) passed")
            #expect(outcome.got.verdict != .errored, "\(task.id) \(model) blamed the node: \(outcome.got.error ?? "")")
            if model == "looper" { #expect(outcome.got.verdict == .timeout || outcome.got.verdict == .buildFailed) }
        }
    }
}

enum ToolchainFixtures {
    static let available: Bool =
        geteuid() == 0 && (try? ToolchainCatalog.locate()) != nil
        && FileManager.default.fileExists(atPath: "/usr/local/lib/crucible/VERSIONS")

    static let runner: SandboxRunner? = try? SandboxRunner(logger: Logger(label: "crucible.toolchain-tests"))

    static func sampleCheck() throws -> SampleCheck {
        guard let runner else { throw ToolchainError.infrastructure("needs root") }
        let evaluator = Evaluator(
            runner: runner, catalog: try ToolchainCatalog.locate(), policy: try PolicyLoader.defaultPolicy(),
            logger: Logger(label: "crucible.toolchain-tests"))
        return SampleCheck(evaluator: evaluator, bank: try TaskBank.locate())
    }

    static func slot(_ language: String) -> Int {
        5000 + (ToolchainCatalog.languages.firstIndex(of: language) ?? 0)
    }
}
