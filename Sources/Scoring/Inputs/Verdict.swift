/// How a job ended, as the job result reports it (`verdict`).
public enum Verdict: String, Sendable, Codable, CaseIterable {
    /// Every test passed.
    case passed
    /// It built and some test failed.
    case failed
    /// It did not compile (or, for interpreted languages, did not parse).
    case buildFailed = "build_failed"
    /// A limit ended the test step.
    case timeout
    /// The node or toolchain failed, not the candidate: never scored as the model's failure.
    case errored

    /// Whether a job with this verdict says anything about the model. Only `errored` does not.
    public var isScoreable: Bool { self != .errored }
}
