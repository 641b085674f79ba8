import Testing

@testable import Scoring

@Suite("Judge agreement: Krippendorff's alpha, interval metric")
struct AgreementTests {
    @Test("the textbook example: 4 observers, 12 units, missing values → alpha 0.849")
    func textbook() throws {
        // Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011), the reliability data
        // with missing values; the paper gives alpha_interval = 0.849.
        let observers: [[Double?]] = [
            [1, 2, 3, 3, 2, 1, 4, 1, 2, nil, nil, nil],
            [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nil, 3],
            [nil, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nil],
            [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nil],
        ]
        let units = (0..<12).map { unit in observers.compactMap { $0[unit] } }
        let alpha = try #require(JudgeAgreement.krippendorffAlphaInterval(units: units))
        #expect(abs(alpha - 0.849) < 0.0005)
    }

    @Test("perfect agreement is 1; ordering or shifting units does not matter")
    func perfect() throws {
        let units: [[Double]] = [[10, 10, 10], [55, 55], [90, 90, 90, 90]]
        #expect(isClose(JudgeAgreement.krippendorffAlphaInterval(units: units), 1))
        let shuffled: [[Double]] = [[90, 90, 90, 90], [10, 10, 10], [55, 55]]
        #expect(
            isClose(
                JudgeAgreement.krippendorffAlphaInterval(units: shuffled),
                JudgeAgreement.krippendorffAlphaInterval(units: units)))
    }

    @Test("systematic disagreement is below 0")
    func disagreement() throws {
        let units: [[Double]] = [[0, 100], [100, 0], [0, 100], [100, 0]]
        #expect(try #require(JudgeAgreement.krippendorffAlphaInterval(units: units)) < 0)
    }

    @Test("undefined without two pairable values or without any variation")
    func undefined() {
        #expect(JudgeAgreement.krippendorffAlphaInterval(units: []) == nil)
        #expect(JudgeAgreement.krippendorffAlphaInterval(units: [[50], [60], [70]]) == nil)
        #expect(JudgeAgreement.krippendorffAlphaInterval(units: [[50, 50], [50, 50, 50], [10]]) == nil)
    }

    @Test("over a run: jobs are units, judge kinds coders, several judgements of a kind averaged")
    func overJobs() throws {
        func job(automated: Double, _ judgements: [Judgement], verdict: Verdict = .passed) -> ScoredJob {
            let outcome = makeJob(verdict: verdict, judgements: judgements)
            let score = JobScore(correctness: nil, quality: nil, efficiency: nil, speed: nil, automated: automated)
            return ScoredJob(outcome: outcome, score: score, finalScore: automated)
        }
        let jobs = [
            job(automated: 80, [Judgement(kind: .staff, score: 70), Judgement(kind: .staff, score: 90)]),
            job(automated: 30, [Judgement(kind: .user, score: 20)]),
            job(automated: 55, []),
            job(automated: 5, [Judgement(kind: .staff, score: 100)], verdict: .errored),
        ]
        let expected = JudgeAgreement.krippendorffAlphaInterval(units: [[80, 80], [30, 20], [55]])
        #expect(expected != nil)
        #expect(isClose(JudgeAgreement.alpha(for: jobs), expected))
    }
}
