import Testing

@testable import Scoring

@Suite("Input conveniences")
struct InputsTests {
    @Test("counts(passed:total:) lists that many passing and failing tests of weight 1")
    func testCounts() {
        for total in 0...6 {
            for passed in 0...total {
                let tests = TestOutcome.counts(passed: passed, total: total)
                #expect(tests.count == total)
                #expect(tests.filter { $0.status == .passed }.count == passed)
                #expect(tests.allSatisfy { $0.weight == 1 })
            }
        }
    }

    @Test("FindingCounts(severities:) counts each severity")
    func findingCounts() {
        var generate = InputGenerator(seed: 41)
        for _ in 0..<50 {
            let severities = (0..<generate.int(0...30)).map { _ in generate.pick(Severity.allCases) }
            let counts = FindingCounts(severities: severities)
            #expect(counts.error == severities.filter { $0 == .error }.count)
            #expect(counts.warning == severities.filter { $0 == .warning }.count)
            #expect(counts.info == severities.filter { $0 == .info }.count)
            #expect(counts.total == severities.count)
        }
    }

    @Test("only errored verdicts are unscoreable")
    func scoreable() {
        #expect(Verdict.allCases.filter { !$0.isScoreable } == [.errored])
    }
}
