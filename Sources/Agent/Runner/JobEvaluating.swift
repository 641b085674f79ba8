import CrucibleAPI
import Toolchains

/// What the agent runs jobs with. `Evaluator` (a sandbox per step) is the one real implementation; the
/// protocol lets a test drive the agent's protocol handling with jobs of a chosen length and outcome.
public protocol JobEvaluating: Sendable {
    /// Evaluates a candidate in sandbox slot `slot` (a distinct host uid range per concurrent job), reporting
    /// steps and tests through `progress` as they finish. Never throws: node trouble is an `errored` result.
    /// `quality: false` skips the lint step.
    func evaluate(
        task: TaskSpec, candidateFiles: FileMap, model: String, slot: Int, quality: Bool,
        progress: (@Sendable (EvaluationProgress) -> Void)?
    ) async -> JobResult
}

extension Evaluator: JobEvaluating {}
