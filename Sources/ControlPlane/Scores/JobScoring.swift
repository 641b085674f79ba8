import CrucibleAPI
import Foundation
import Scoring

/// The bridge from a job's result (wire types) to the pure `Scoring` module: what was measured goes in,
/// the automated score comes out. Nothing here is estimated; what was not measured stays nil.
public enum JobScoring {
    public static func outcome(
        result: JobResult, task: TaskSpec, candidate: Candidate, referenceCPUTimeS: Double?,
        judgements: [Scoring.Judgement] = []
    ) -> JobOutcome {
        let ioWeights =
            task.testMode == .io && task.ioCases.count == result.tests.count ? task.ioCases.map(\.weight) : nil
        let tests = result.tests.enumerated().map { index, test in
            Scoring.TestOutcome(status: testStatus(test.status), weight: ioWeights?[index] ?? 1)
        }
        let severities = result.findings.compactMap { Scoring.Severity(rawValue: $0.severity.rawValue) }
        let lines = candidate.files.values.reduce(0) {
            $0 + $1.split(separator: "\n", omittingEmptySubsequences: false).count
        }
        let testStep = result.steps.last { $0.name == .test }
        return JobOutcome(
            taskID: result.taskID, model: result.model, language: task.language.rawValue,
            scenario: task.scenario.rawValue, difficulty: task.difficulty.rawValue,
            verdict: Scoring.Verdict(rawValue: result.verdict.rawValue) ?? .errored, tests: tests,
            totalTestWeight: ioWeights.map { $0.reduce(0, +) }, findings: FindingCounts(severities: severities),
            linted: result.steps.contains { $0.name == .quality },
            linesOfCode: lines, testCPUTimeSeconds: testStep?.cpuTimeS, referenceCPUTimeSeconds: referenceCPUTimeS,
            latencyMs: candidate.metadata.latencyMS, costUSD: candidate.metadata.costUSD, judgements: judgements)
    }

    static func testStatus(_ status: CrucibleAPI.TestStatus) -> Scoring.TestStatus {
        Scoring.TestStatus(rawValue: status.rawValue) ?? .error
    }

    /// The automated score under a run's weights, or nil for an `errored` job (never the model's failure).
    public static func score(_ outcome: JobOutcome, weights: CrucibleAPI.ScoreWeights) throws -> CrucibleAPI.JobScore? {
        var config = ScoringConfig.default
        config.weights = Scoring.ScoreWeights(
            correctness: weights.correctness, quality: weights.quality, efficiency: weights.efficiency,
            speed: weights.speed)
        let scored = try Scorer(config: config).score(outcome)
        guard let score = scored.score, let automated = score.automated else {
            return nil
        }
        return CrucibleAPI.JobScore(
            correctness: score.correctness, quality: score.quality, efficiency: score.efficiency, speed: score.speed,
            automated: automated)
    }
}
