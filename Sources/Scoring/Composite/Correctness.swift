/// Correctness: the weighted share of tests that passed, 0–100.
///
/// - `errored`: nil. The infrastructure failed, so the job says nothing about the model.
/// - `build_failed`: 0, whatever tests the result lists.
/// - otherwise the passed weight over the suite's weight. The suite's weight is the reported tests'
///   weight, or `totalTestWeight` when that is larger (tests a timeout cut off count as not passed).
///   Skipped tests count as not passed: a test that did not run showed nothing.
/// - with no test weight at all (`program` mode, where the exit code decides): 100 for `passed`,
///   0 for anything else, so a timeout with no tests run scores 0.
public enum Correctness {
    public static func score(verdict: Verdict, tests: [TestOutcome], totalTestWeight: Double? = nil) -> Double? {
        switch verdict {
        case .errored:
            return nil
        case .buildFailed:
            return 0
        case .passed, .failed, .timeout:
            let reported = tests.reduce(0) { $0 + $1.weight }
            let suite = max(reported, totalTestWeight ?? 0)
            guard suite > 0 else { return verdict == .passed ? 100 : 0 }
            let passed = tests.reduce(0) { $0 + ($1.status == .passed ? $1.weight : 0) }
            // Ratio first, so a fully passing suite is exactly 100.
            return min(100, max(0, 100 * (passed / suite)))
        }
    }
}
