import CrucibleAPI
import Foundation
import Sandbox
import Testing

@testable import Toolchains

/// Cancelling an evaluation, as the agent does when a job's lease is revoked, kills the step running then:
/// the slot is free at once, not when the step's limits end it.
@Suite(.enabled(if: ToolchainFixtures.available, "needs root and the toolchains (make test installs them)"))
struct EvaluationCancellationTests {
    @Test func aCancelledEvaluationKillsItsRunningStep() async throws {
        let check = try ToolchainFixtures.sampleCheck()
        let token = "started-\(UUID().uuidString)"
        // Marks its start in the workspace (which the host sees), then sleeps far longer than the test waits:
        // left alone, it would pass (or hit its wall limit), not come back cancelled.
        let test = "import time\nopen('/work/\(token)', 'w').close()\ntime.sleep(50)\n"
        let task = TaskSpec(
            id: "py-cancelled", language: .python, difficulty: .easy, prompt: "p", tests: ["test_solution.py": test],
            testMode: .program, limits: TaskLimits(cpuTimeS: 60, wallTimeS: 60))
        let evaluation = Task {
            await check.evaluator.evaluate(
                task: task, candidateFiles: ["solution.py": "x = 1\n"], model: "m", slot: 5200, quality: false)
        }
        let work = check.evaluator.runner.runtimeDirectory + "/work"
        var workspace: String?
        for _ in 0..<3000 where workspace == nil {
            workspace = (try? FileManager.default.contentsOfDirectory(atPath: work))?.first {
                FileManager.default.fileExists(atPath: work + "/" + $0 + "/" + token)
            }
            if workspace == nil { try await Task.sleep(for: .milliseconds(10)) }
        }
        guard let workspace else {
            evaluation.cancel()
            Issue.record("the test step did not start within 30 s")
            return
        }
        let cancelled = ContinuousClock.now
        evaluation.cancel()
        let result = await evaluation.value
        // Not a speed check: a step that was not killed ends with its program, 50 s later.
        #expect(ContinuousClock.now - cancelled < .seconds(25), "the step was killed, not run to its end")
        #expect(result.verdict == .errored, "\(result.steps)")
        #expect(result.error?.contains("cancelled") == true, "\(result.error ?? "")")
        CleanupQueue.shared.drain()
        #expect(!FileManager.default.fileExists(atPath: work + "/" + workspace), "the workspace was removed")
    }
}
