import CrucibleAPI

/// `crucible toolchains check`: the bank's sample candidates, each against the verdict its file
/// expects (references pass, off-by-one answers fail, broken code does not build, …).
public struct SampleCheck: Sendable {
    public struct Outcome: Sendable {
        public var taskID: String
        public var model: String
        public var expected: Verdict
        public var got: JobResult
        public var matches: Bool { got.verdict == expected }
    }

    public static let defaultModels = ["reference", "off-by-one", "no-compile"]

    let evaluator: Evaluator
    let bank: TaskBank

    public init(evaluator: Evaluator, bank: TaskBank) {
        self.evaluator = evaluator
        self.bank = bank
    }

    public func run(languages: [String], models: [String] = defaultModels, slot: Int = 0) async throws -> [Outcome] {
        var outcomes: [Outcome] = []
        for language in languages {
            for path in bank.taskFiles(language: language) {
                let task = try TaskFiles.readTask(path)
                for model in models {
                    guard let file = bank.candidateFile(model: model, language: language, taskID: task.id) else {
                        continue
                    }
                    outcomes.append(try await check(task: task, candidateFile: file, model: model, slot: slot))
                }
            }
        }
        return outcomes
    }

    public func check(task: TaskSpec, candidateFile: String, model: String, slot: Int = 0) async throws -> Outcome {
        let candidate = try TaskFiles.readCandidate(candidateFile)
        let expected = TaskFiles.expectedVerdict(candidateFile) ?? (model == "reference" ? .passed : .failed)
        let result = await evaluator.evaluate(task: task, candidateFiles: candidate.files, model: model, slot: slot)
        return Outcome(taskID: task.id, model: model, expected: expected, got: result)
    }
}
