import Testing

@testable import Scoring

/// Runs `body` and returns the ScoringError it threw, failing the test when it throws nothing.
func scoringError(_ body: () throws -> Void) -> ScoringError? {
    do {
        try body()
        Issue.record("expected a ScoringError, nothing was thrown")
        return nil
    } catch let error as ScoringError {
        return error
    } catch {
        Issue.record("expected a ScoringError, got \(error)")
        return nil
    }
}

@Suite("Weights, judgements and inputs are validated with errors that name the field")
struct ValidationTests {
    @Test(
        "a bad score weight is named",
        arguments: [
            ("quality", -1.0), ("speed", Double.nan), ("efficiency", Double.infinity), ("correctness", -0.5),
        ])
    func badScoreWeight(name: String, value: Double) {
        var raw = ["correctness": 40.0, "quality": 25, "efficiency": 15, "speed": 20]
        raw[name] = value
        let error = scoringError { _ = try ScoreWeights(validating: raw) }
        #expect(error?.field == "weights.\(name)")
        #expect(error?.code == .invalidWeights)
        #expect(error?.message.contains("≥ 0") == true)
    }

    @Test("a memberwise weight set is checked when a Scorer is made")
    func scorerValidates() {
        let weights = ScoreWeights(correctness: 40, quality: -25, efficiency: 15, speed: 20)
        let error = scoringError { _ = try Scorer(config: ScoringConfig(weights: weights)) }
        #expect(error?.field == "weights.quality")
    }

    @Test("an unknown weight is named and the known ones listed")
    func unknownWeight() {
        let error = scoringError { _ = try ScoreWeights(validating: ["correctness": 1, "style": 2]) }
        #expect(error?.field == "weights.style")
        for known in ScoreComponent.allCases {
            #expect(error?.message.contains(known.rawValue) == true)
        }
    }

    @Test("all-zero weights are refused")
    func allZero() {
        let error = scoringError { _ = try ScoreWeights(validating: ["correctness": 0, "quality": 0]) }
        #expect(error?.field == "weights")
        let empty = scoringError { _ = try ScoreWeights(validating: [:]) }
        #expect(empty?.field == "weights")
    }

    @Test("an override is the whole set: names left out weigh 0")
    func overrideIsWholeSet() throws {
        let weights = try ScoreWeights(validating: ["correctness": 3, "speed": 1])
        #expect(weights == ScoreWeights(correctness: 3, quality: 0, efficiency: 0, speed: 1))
        let job = makeJob(tests: TestOutcome.counts(passed: 1, total: 4), latencyMs: 30_000)
        let score = try #require(try Scorer(config: ScoringConfig(weights: weights)).automatedScore(for: job))
        let expected = (3 * (score.correctness ?? -1) + 1 * (score.speed ?? -1)) / 4
        #expect(isClose(score.automated, expected))
    }

    @Test("judge weights are validated the same way")
    func judgeWeights() {
        let negative = scoringError { _ = try JudgeWeights(validating: ["automated": 40, "staff": -1]) }
        #expect(negative?.field == "judge_weights.staff")
        let unknown = scoringError { _ = try JudgeWeights(validating: ["automated": 40, "crowd": 5]) }
        #expect(unknown?.field == "judge_weights.crowd")
        let zero = scoringError { _ = try JudgeWeights(validating: ["user": 0]) }
        #expect(zero?.field == "judge_weights")
    }

    @Test("decoding a run's configuration validates it")
    func decodingValidates() throws {
        let bad = #"{"weights": {"correctness": 40, "quality": -2}}"#
        let error = scoringError { _ = try JSONTestCoding.decode(ScoringConfig.self, from: bad) }
        #expect(error?.field == "weights.quality")

        let good = #"{"weights": {"correctness": 1, "quality": 1}, "speed": {"slow_ms": 30000, "curve": "linear"}}"#
        let config = try JSONTestCoding.decode(ScoringConfig.self, from: good)
        #expect(config.weights == ScoreWeights(correctness: 1, quality: 1, efficiency: 0, speed: 0))
        #expect(config.speed == SpeedScale(fastMs: SpeedScale.default.fastMs, slowMs: 30_000, curve: .linear))
        #expect(config.judgeWeights == .default)
    }

    @Test(
        "judgement scores outside 0–100 are named",
        arguments: [-0.01, 100.5, Double.nan, -Double.infinity])
    func badJudgementScore(score: Double) throws {
        let scorer = try Scorer()
        let judgements = [Judgement(kind: .staff, score: 50), Judgement(kind: .user, score: score)]
        let error = scoringError { _ = try scorer.finalScore(automated: 50, judgements: judgements) }
        #expect(error?.field == "judgements[1].score")
        #expect(error?.code == .invalidJudgement)
    }

    @Test("an automated judgement cannot be submitted")
    func automatedJudgement() throws {
        let error = scoringError {
            _ = try Scorer().finalScore(automated: 50, judgements: [Judgement(kind: .automated, score: 50)])
        }
        #expect(error?.field == "judgements[0].kind")
    }

    @Test("impossible measurements are named with the job's index")
    func badOutcome() throws {
        let scorer = try Scorer()
        let jobs = [makeJob(), makeJob(latencyMs: -5)]
        let latency = scoringError { _ = try scorer.score(jobs) }
        #expect(latency?.field == "jobs[1].latency_ms")
        #expect(latency?.code == .invalidOutcome)

        let weight = scoringError {
            _ = try scorer.score(
                makeJob(tests: [TestOutcome(status: .passed), TestOutcome(status: .passed, weight: -1)]))
        }
        #expect(weight?.field == "tests[1].weight")

        let findings = scoringError { _ = try scorer.score(makeJob(findings: FindingCounts(warning: -1))) }
        #expect(findings?.field == "findings.warning")

        let cpu = scoringError { _ = try scorer.score(makeJob(referenceCPU: .nan)) }
        #expect(cpu?.field == "reference_cpu_time_s")
    }

    @Test("curve settings are validated")
    func curves() {
        let speed = scoringError {
            _ = try Scorer(config: ScoringConfig(speed: SpeedScale(fastMs: 5_000, slowMs: 1_000)))
        }
        #expect(speed?.field == "speed.slow_ms")
        let fast = scoringError { _ = try Scorer(config: ScoringConfig(speed: SpeedScale(fastMs: 0, slowMs: 1_000))) }
        #expect(fast?.field == "speed.fast_ms")
        let ratio = scoringError {
            _ = try Scorer(
                config: ScoringConfig(efficiency: EfficiencyCurve(zeroScoreRatio: 1, minimumMeasurableSeconds: 0.001)))
        }
        #expect(ratio?.field == "efficiency.zero_score_ratio")
        let order = scoringError {
            _ = try Scorer(
                config: ScoringConfig(
                    quality: QualityCurve(errorWeight: 1, warningWeight: 2, infoWeight: 0, halfScoreDensity: 10)))
        }
        #expect(order?.field == "quality")
    }

    @Test("error descriptions lead with the field")
    func description() {
        let error = scoringError { _ = try ScoreWeights(validating: ["quality": -1]) }
        #expect(error?.description.hasPrefix("weights.quality: ") == true)
    }
}
