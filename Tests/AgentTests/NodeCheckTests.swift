import CrucibleAPI
import Foundation
import Sandbox
import Synchronization
import Testing
import Toolchains

@testable import Agent

/// Sandbox slots of this suite: apart from the other suites' (Sandbox 10+, Security 900–2000s, Toolchains
/// 5000s, CLI 0), which may run in the same process at the same time.
enum AgentSlots {
    private static let next = Atomic<Int>(7000)
    static func take(_ count: Int = 1) -> Int { next.add(count, ordering: .relaxed).newValue - count }
}

@Suite("crucible agent --check")
struct NodeCheckTests {
    @Test func thisNodeCanSandboxAndSaysSoLineByLine() async throws {
        let check = NodeCheck(policy: try PolicyLoader.defaultPolicy(), slot: AgentSlots.take(), logger: testLogger())
        let items = await check.prerequisites()
        #expect(
            items.map(\.name) == ["root", "user namespaces", "cgroups", "libseccomp", "runtime directory", "sandbox"])
        let report = NodeCheck.Report(items: items, probes: nil)
        let text = report.render()
        for item in items {
            #expect(item.passed, "\(item.name): \(item.detail) — \(item.fix ?? "")")
            #expect(text.contains("ok   \(item.name): \(item.detail)"))
        }
        #expect(!text.contains("FAIL"))
    }

    @Test func aFailureSaysWhatToFix() {
        let report = NodeCheck.Report(
            items: [
                NodeCheck.Item(name: "root", passed: true, detail: "running as root"),
                NodeCheck.Item(
                    name: "user namespaces", passed: false, detail: "disabled (user.max_user_namespaces = 0)",
                    fix: "sysctl -w user.max_user_namespaces=15000"),
            ], probes: nil)
        #expect(!report.canSandbox && !report.passed)
        let text = report.render()
        #expect(text.contains("FAIL user namespaces: disabled (user.max_user_namespaces = 0)"))
        #expect(text.contains("fix: sysctl -w user.max_user_namespaces=15000"))
        #expect(text.contains("Hostile probes not run"))
        #expect(report.refusal.contains("cannot run sandboxes"))
        #expect(report.refusal.contains("user namespaces: disabled"))
        #expect(report.refusal.contains("fix: sysctl"))
        #expect(!report.refusal.contains("root:"), "only failures are listed")
    }

    @Test func aRuntimeDirectoryThatCannotBeWrittenFails() throws {
        let check = NodeCheck(
            policy: try PolicyLoader.defaultPolicy(),
            runtimeDirectory: "/proc/crucible-cannot-be-here", logger: testLogger())
        let item = check.checkRuntimeDirectory()
        #expect(!item.passed)
        #expect(item.fix?.contains("/run") == true)
    }
}

@Suite("What a node registers with")
struct NodeInventoryTests {
    @Test func toolchainsAreTheReadyOnesAndAnImageNotBuiltLeavesNone() throws {
        let runner = try SandboxRunner(logger: testLogger())
        let catalog = try ToolchainCatalog.locate()
        var policy = try PolicyLoader.defaultPolicy()
        let onHost = NodeInventory.detect(runner: runner, catalog: catalog, policy: policy)
        #expect(onHost.toolchains.map(\.rawValue) == ToolchainInventory.readyLanguages(catalog))
        #expect(onHost.cores >= 1 && onHost.memoryBytes > 0)
        policy.image = "not-built-\(UUID().uuidString.prefix(6).lowercased())"
        #expect(NodeInventory.detect(runner: runner, catalog: catalog, policy: policy).toolchains.isEmpty)
    }
}

@Suite("Evaluator progress: steps and tests reported as they finish")
struct EvaluatorProgressTests {
    final class Seen: Sendable {
        let events = Mutex<[EvaluationProgress]>([])
    }

    @Test func progressMatchesTheResult() async throws {
        let runner = try SandboxRunner(logger: testLogger())
        let evaluator = Evaluator(
            runner: runner, catalog: try ToolchainCatalog.locate(), policy: try PolicyLoader.defaultPolicy(),
            logger: testLogger())
        let task = try TaskFiles.readTask(try TaskBank.locate().directory + "/python/py-fizzbuzz-easy.json")
        let wrong = try TaskFiles.readCandidate(
            try #require(TaskBank.locate().candidateFile(model: "off-by-one", language: "python", taskID: task.id)))
        let seen = Seen()
        let result = await evaluator.evaluate(
            task: task, candidateFiles: wrong.files, model: wrong.model, slot: AgentSlots.take(),
            progress: { event in seen.events.withLock { $0.append(event) } })
        #expect(result.verdict == .failed)
        let events = seen.events.withLock { $0 }
        let steps = events.compactMap { if case .step(let step) = $0 { step } else { nil } }
        let tests = events.compactMap { if case .test(let test) = $0 { test } else { nil } }
        #expect(steps == result.steps)
        #expect(tests == result.tests)
        // Tests are known once the test step ended, and before any later step.
        let firstTest = try #require(events.firstIndex { if case .test = $0 { true } else { false } })
        let testStep = try #require(
            events.firstIndex { if case .step(let step) = $0 { step.name == .test } else { false } })
        #expect(testStep < firstTest)
    }

    @Test func aCancelledEvaluationStopsBeforeTheNextStep() async throws {
        let runner = try SandboxRunner(logger: testLogger())
        let evaluator = Evaluator(
            runner: runner, catalog: try ToolchainCatalog.locate(), policy: try PolicyLoader.defaultPolicy(),
            logger: testLogger())
        let task = try TaskFiles.readTask(try TaskBank.locate().directory + "/python/py-fizzbuzz-easy.json")
        let slot = AgentSlots.take()
        let result = await Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await evaluator.evaluate(
                task: task, candidateFiles: task.reference ?? [:], model: "reference", slot: slot)
        }.value
        #expect(result.verdict == .errored)
        #expect(result.steps.isEmpty)
        #expect(result.error?.contains("cancelled") == true)
    }
}
