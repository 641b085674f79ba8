import Testing

@testable import Scoring

@Suite("Absent components and judges drop out and the rest are renormalised")
struct RenormalisationTests {
    @Test("the automated score is the weighted mean of the present components", arguments: 0..<4)
    func automatedIsWeightedMean(seed: UInt64) throws {
        var generate = InputGenerator(seed: 100 + seed)
        var config = generate.config()
        config.buildFailureScoresZero = true
        let scorer = try Scorer(config: config)
        for _ in 0..<300 {
            let job = generate.job(verdicts: [.passed, .failed, .timeout])
            let score = try #require(try scorer.automatedScore(for: job))
            let expected = expectedWeightedMean(ScoreComponent.allCases.map { (score[$0], config.weights[$0]) })
            #expect(isClose(score.automated, expected))
        }
    }

    @Test("without a reference timing efficiency is absent and its weight does not matter")
    func noReferenceTiming() throws {
        let job = makeJob(tests: TestOutcome.counts(passed: 3, total: 4), referenceCPU: nil, latencyMs: 9_000)
        var results: [Double] = []
        for efficiencyWeight in [0.0, 15, 1_000] {
            var weights = ScoreWeights.default
            weights.efficiency = efficiencyWeight
            let score = try #require(try Scorer(config: ScoringConfig(weights: weights)).automatedScore(for: job))
            #expect(score.efficiency == nil)
            results.append(try #require(score.automated))
        }
        #expect(results.allSatisfy { isClose($0, results[0]) })
    }

    @Test("without a latency speed is absent and the other weights renormalise")
    func noLatency() throws {
        let job = makeJob(
            tests: TestOutcome.counts(passed: 1, total: 2), findings: FindingCounts(warning: 2),
            testCPU: 1.5, referenceCPU: 0.5, latencyMs: nil)
        let score = try #require(try Scorer().automatedScore(for: job))
        #expect(score.speed == nil)
        let correctness = try #require(score.correctness)
        let quality = try #require(score.quality)
        let efficiency = try #require(score.efficiency)
        let expected = (40 * correctness + 25 * quality + 15 * efficiency) / (40 + 25 + 15)
        #expect(isClose(score.automated, expected))
    }

    @Test("with only zero-weighted components present the automated score is absent")
    func nothingWeighted() throws {
        let weights = try ScoreWeights(validating: ["efficiency": 1])
        let job = makeJob(referenceCPU: nil)
        let score = try #require(try Scorer(config: ScoringConfig(weights: weights)).automatedScore(for: job))
        #expect(score.automated == nil)
        #expect(score.correctness != nil)
    }

    @Test("the final score is the automated score when no one else judged")
    func automatedOnly() throws {
        let scorer = try Scorer()
        #expect(try scorer.finalScore(automated: 63.5, judgements: []) == 63.5)
        #expect(try scorer.finalScore(automated: nil, judgements: []) == nil)
    }

    @Test("judges present are blended with their weights renormalised")
    func blend() throws {
        let scorer = try Scorer()
        let final = try scorer.finalScore(
            automated: 80, judgements: [Judgement(kind: .staff, score: 60), Judgement(kind: .teamReview, score: 100)])
        let expected: Double = (40 * 80 + 25 * 60 + 7.5 * 100) / (40 + 25 + 7.5)
        #expect(isClose(final, expected))
    }

    @Test("several judgements of one kind count as their mean")
    func averaged() throws {
        let scorer = try Scorer()
        let twoUsers = try scorer.finalScore(
            automated: 70, judgements: [Judgement(kind: .user, score: 20), Judgement(kind: .user, score: 80)])
        let oneUser = try scorer.finalScore(automated: 70, judgements: [Judgement(kind: .user, score: 50)])
        #expect(isClose(twoUsers, oneUser))
        let expected: Double = (40 * 70 + 20 * 50) / 60
        #expect(isClose(twoUsers, expected))
    }

    @Test("judges without judgements and no automated score: only the human judges count")
    func humansOnly() throws {
        let scorer = try Scorer()
        let final = try scorer.finalScore(
            automated: nil, judgements: [Judgement(kind: .staff, score: 90), Judgement(kind: .selfReview, score: 30)])
        let expected: Double = (25 * 90 + 7.5 * 30) / 32.5
        #expect(isClose(final, expected))
    }

    @Test("the weight of an absent judge never changes the final score")
    func absentJudgeWeight() throws {
        var generate = InputGenerator(seed: 21)
        for _ in 0..<200 {
            let judgements = generate.judgements().filter { $0.kind != .user }
            let automated = generate.double(0...100)
            var finals: [Double?] = []
            for userWeight in [0.0, 20, 500] {
                var weights = JudgeWeights.default
                weights.user = userWeight
                let scorer = try Scorer(config: ScoringConfig(judgeWeights: weights))
                finals.append(try scorer.finalScore(automated: automated, judgements: judgements))
            }
            #expect(finals.allSatisfy { isClose($0, finals[0]) })
        }
    }
}
