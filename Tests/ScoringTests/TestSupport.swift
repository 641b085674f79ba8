import Testing

@testable import Scoring

/// Builds a job with sensible defaults so each test states only what it is about.
func makeJob(
    task: String = "t1",
    model: String = "m1",
    language: String = "python",
    scenario: String = "code-generation",
    difficulty: String = "easy",
    verdict: Verdict = .passed,
    tests: [TestOutcome] = TestOutcome.counts(passed: 4, total: 4),
    totalTestWeight: Double? = nil,
    findings: FindingCounts = .none,
    linesOfCode: Int = 40,
    testCPU: Double? = 0.5,
    referenceCPU: Double? = 0.5,
    latencyMs: Double? = 1_000,
    costUSD: Double? = 0.01,
    judgements: [Judgement] = []
) -> JobOutcome {
    JobOutcome(
        taskID: task, model: model, language: language, scenario: scenario, difficulty: difficulty,
        verdict: verdict, tests: tests, totalTestWeight: totalTestWeight, findings: findings,
        linesOfCode: linesOfCode, testCPUTimeSeconds: testCPU, referenceCPUTimeSeconds: referenceCPU,
        latencyMs: latencyMs, costUSD: costUSD, judgements: judgements)
}

/// A job that has been scored with the default configuration, with a chosen final score, for the
/// aggregate tests (leaderboard, agreement) where the scoring itself is not under test.
func scoredJob(
    model: String, task: String = "t1", verdict: Verdict = .passed, final: Double?,
    latencyMs: Double? = nil, costUSD: Double? = nil, language: String = "python",
    scenario: String = "code-generation", difficulty: String = "easy"
) -> ScoredJob {
    let outcome = makeJob(
        task: task, model: model, language: language, scenario: scenario, difficulty: difficulty,
        verdict: verdict, latencyMs: latencyMs, costUSD: costUSD)
    guard verdict != .errored else { return ScoredJob(outcome: outcome, score: nil, finalScore: nil) }
    let score = JobScore(correctness: final, quality: final, efficiency: nil, speed: nil, automated: final)
    return ScoredJob(outcome: outcome, score: score, finalScore: final)
}

/// Random inputs for property tests, reproducible from a seed so a failure can be replayed.
struct InputGenerator {
    var random: SplitMix64

    init(seed: UInt64) {
        random = SplitMix64(seed: seed)
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + random.nextIndex(below: range.count)
    }

    mutating func double(_ range: ClosedRange<Double>) -> Double {
        let unit = Double(random.next() >> 11) / Double(1 << 53)
        return range.lowerBound + unit * (range.upperBound - range.lowerBound)
    }

    mutating func bool() -> Bool { random.next() & 1 == 1 }

    mutating func pick<T>(_ values: [T]) -> T { values[int(0...(values.count - 1))] }

    mutating func maybe<T>(_ make: (inout InputGenerator) -> T) -> T? {
        bool() ? make(&self) : nil
    }

    mutating func tests() -> [TestOutcome] {
        (0..<int(0...12)).map { _ in
            TestOutcome(status: pick(TestStatus.allCases), weight: bool() ? 1 : double(0...5))
        }
    }

    mutating func findings() -> FindingCounts {
        FindingCounts(error: int(0...30), warning: int(0...60), info: int(0...100))
    }

    mutating func judgements() -> [Judgement] {
        let kinds: [JudgeKind] = [.staff, .user, .selfReview, .teamReview]
        return (0..<int(0...4)).map { _ in Judgement(kind: pick(kinds), score: double(0...100)) }
    }

    mutating func job(verdicts: [Verdict] = Verdict.allCases) -> JobOutcome {
        JobOutcome(
            taskID: "t\(int(0...5))",
            model: "m\(int(0...3))",
            verdict: pick(verdicts),
            tests: tests(),
            totalTestWeight: maybe { $0.double(0...40) },
            findings: findings(),
            linesOfCode: int(0...500),
            testCPUTimeSeconds: maybe { $0.double(0...20) },
            referenceCPUTimeSeconds: maybe { $0.double(0...5) },
            latencyMs: maybe { $0.double(0...200_000) },
            costUSD: maybe { $0.double(0...2) },
            judgements: judgements())
    }

    /// A valid configuration with random weights and curve settings.
    mutating func config() -> ScoringConfig {
        var weights = ScoreWeights(
            correctness: double(0...100), quality: double(0...100), efficiency: double(0...100),
            speed: double(0...100))
        if bool() { weights.quality = 0 }
        let fast = double(1...10_000)
        return ScoringConfig(
            weights: weights,
            judgeWeights: JudgeWeights(
                automated: double(0.1...100), staff: double(0...100), user: double(0...100),
                selfReview: double(0...100), teamReview: double(0...100)),
            quality: QualityCurve(
                errorWeight: double(2...10), warningWeight: double(1...2), infoWeight: double(0...1),
                halfScoreDensity: double(0.5...50)),
            efficiency: EfficiencyCurve(
                zeroScoreRatio: double(1.5...50), minimumMeasurableSeconds: double(0.0001...0.1)),
            speed: SpeedScale(fastMs: fast, slowMs: fast + double(1...200_000), curve: pick(SpeedScale.Curve.allCases)),
            buildFailureScoresZero: bool())
    }
}

/// The weighted mean of the present values, written out independently of the module's helper.
func expectedWeightedMean(_ terms: [(Double?, Double)]) -> Double? {
    let present = terms.compactMap { value, weight in value.map { ($0, weight) } }.filter { $0.1 > 0 }
    let totalWeight = present.reduce(0) { $0 + $1.1 }
    guard totalWeight > 0 else { return nil }
    return present.reduce(0) { $0 + $1.0 * $1.1 } / totalWeight
}

func isClose(_ a: Double?, _ b: Double?, tolerance: Double = 1e-9) -> Bool {
    switch (a, b) {
    case (nil, nil): true
    case (let a?, let b?): abs(a - b) <= tolerance * max(1, abs(a), abs(b))
    default: false
    }
}
