import Testing

@testable import Scoring

@Suite("Seeded generator and bootstrap intervals")
struct BootstrapTests {
    @Test("SplitMix64 reproduces the reference implementation's outputs")
    func referenceOutputs() {
        // Computed with an independent (Python) transcription of Vigna's splitmix64.c; the seed-0
        // value 0xE220A8397B1DCDAF is the widely published first output.
        var zero = SplitMix64(seed: 0)
        #expect(
            [zero.next(), zero.next(), zero.next()] == [
                0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F,
            ])
        var other = SplitMix64(seed: 1_234_567)
        #expect(
            [other.next(), other.next(), other.next()] == [
                6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423,
            ])
    }

    @Test("indices stay in range and cover it evenly")
    func indices() {
        var generator = SplitMix64(seed: 42)
        let bound = 7
        var counts = Array(repeating: 0, count: bound)
        let draws = 70_000
        for _ in 0..<draws {
            let index = generator.nextIndex(below: bound)
            #expect((0..<bound).contains(index))
            counts[index] += 1
        }
        // Expected 10 000 each; a fair generator strays by a few hundred at most.
        #expect(counts.allSatisfy { abs($0 - draws / bound) < 500 })
    }

    @Test("the same seed gives the same interval; the interval lies within the data's range")
    func reproducible() throws {
        var generate = InputGenerator(seed: 5)
        let values = (0..<40).map { _ in generate.double(0...100) }
        let first = try #require(try Bootstrap.meanInterval(of: values, seed: 99))
        let second = try #require(try Bootstrap.meanInterval(of: values, seed: 99))
        #expect(first == second)
        let low = try #require(values.min())
        let high = try #require(values.max())
        let mean = values.reduce(0, +) / Double(values.count)
        #expect(low <= first.low && first.low <= mean && mean <= first.high && first.high <= high)
    }

    @Test("different seeds generally give different intervals")
    func seedsDiffer() throws {
        var generate = InputGenerator(seed: 6)
        let values = (0..<30).map { _ in generate.double(0...100) }
        let intervals = try (0..<10).map { try Bootstrap.meanInterval(of: values, seed: UInt64($0)) }
        #expect(Set(intervals.map { "\($0?.low ?? -1),\($0?.high ?? -1)" }).count > 5)
    }

    @Test("a lower confidence gives an interval inside the higher one's")
    func confidenceNarrows() throws {
        var generate = InputGenerator(seed: 7)
        let values = (0..<25).map { _ in generate.double(0...100) }
        let wide = try #require(try Bootstrap.meanInterval(of: values, confidence: 0.99, seed: 3))
        let narrow = try #require(try Bootstrap.meanInterval(of: values, confidence: 0.5, seed: 3))
        // Same seed, same resample means: the 50% interval sits inside the 99% one.
        #expect(wide.low <= narrow.low && narrow.high <= wide.high)
    }

    @Test("constant data and a single value give a zero-width interval; no data gives none")
    func degenerate() throws {
        let constant = try #require(try Bootstrap.meanInterval(of: Array(repeating: 42, count: 9), seed: 1))
        #expect(constant.low == 42 && constant.high == 42)
        let single = try #require(try Bootstrap.meanInterval(of: [17], seed: 1))
        #expect(single.low == 17 && single.high == 17)
        #expect(try Bootstrap.meanInterval(of: [], seed: 1) == nil)
    }

    @Test("resamples and confidence are validated")
    func invalid() {
        #expect(scoringError { _ = try Bootstrap.meanInterval(of: [1], resamples: 0, seed: 1) }?.field == "resamples")
        #expect(scoringError { _ = try Bootstrap.meanInterval(of: [1], confidence: 1, seed: 1) }?.field == "confidence")
    }
}
