import Testing

@testable import Scoring

@Suite("Correctness and the verdict rules")
struct CorrectnessTests {
    @Test("the weighted pass rate uses each test's weight")
    func weightedPassRate() {
        let tests = [
            TestOutcome(status: .passed, weight: 3),
            TestOutcome(status: .failed, weight: 1),
            TestOutcome(status: .passed, weight: 0.5),
            TestOutcome(status: .error, weight: 2),
        ]
        let expected: Double = 100 * (3 + 0.5) / (3 + 1 + 0.5 + 2)
        #expect(isClose(Correctness.score(verdict: .failed, tests: tests), expected))
    }

    @Test("skipped tests count as not passed")
    func skipped() {
        let tests = TestOutcome.counts(passed: 3, total: 3) + [TestOutcome(status: .skipped)]
        #expect(isClose(Correctness.score(verdict: .failed, tests: tests), 75))
    }

    @Test("a build failure scores 0 whatever tests are listed")
    func buildFailed() {
        #expect(Correctness.score(verdict: .buildFailed, tests: TestOutcome.counts(passed: 5, total: 5)) == 0)
        #expect(Correctness.score(verdict: .buildFailed, tests: []) == 0)
    }

    @Test("an errored job has no correctness at all, not 0")
    func errored() throws {
        #expect(Correctness.score(verdict: .errored, tests: TestOutcome.counts(passed: 5, total: 5)) == nil)
        let scorer = try Scorer()
        let scored = try scorer.score(makeJob(verdict: .errored, judgements: [Judgement(kind: .staff, score: 90)]))
        #expect(scored.score == nil)
        #expect(scored.finalScore == nil)
        #expect(!scored.isScoreable)
    }

    @Test("a timeout scores the tests that passed, against the whole suite when known")
    func timeout() {
        let reported = TestOutcome.counts(passed: 2, total: 2)
        let expected: Double = 100 * 2 / 8
        #expect(isClose(Correctness.score(verdict: .timeout, tests: reported, totalTestWeight: 8), expected))
        #expect(Correctness.score(verdict: .timeout, tests: []) == 0)
        #expect(Correctness.score(verdict: .timeout, tests: [], totalTestWeight: 5) == 0)
    }

    @Test("without tests the verdict decides (program mode)")
    func programMode() {
        #expect(Correctness.score(verdict: .passed, tests: []) == 100)
        #expect(Correctness.score(verdict: .failed, tests: []) == 0)
    }

    @Test("a build failure zeroes the automated score by default but keeps its components")
    func buildFailureGate() throws {
        let job = makeJob(verdict: .buildFailed, tests: [], testCPU: nil, latencyMs: 500)
        let gated = try #require(try Scorer().automatedScore(for: job))
        #expect(gated.automated == 0)
        #expect(gated.correctness == 0)
        #expect(gated.efficiency == nil)
        let quality = try #require(gated.quality)
        let speed = try #require(gated.speed)
        #expect(quality > 0 && speed > 0)

        let ungated = try #require(
            try Scorer(config: ScoringConfig(buildFailureScoresZero: false)).automatedScore(for: job))
        let weights = ScoreWeights.default
        let expected = expectedWeightedMean([
            (0, weights.correctness), (quality, weights.quality), (nil, weights.efficiency), (speed, weights.speed),
        ])
        #expect(isClose(ungated.automated, expected))
    }

    @Test("a timeout with a reference timing scores 0 efficiency, however little CPU it used")
    func timeoutEfficiency() throws {
        let job = makeJob(verdict: .timeout, testCPU: 0.001, referenceCPU: 1)
        #expect(try Scorer().automatedScore(for: job)?.efficiency == 0)
    }
}
