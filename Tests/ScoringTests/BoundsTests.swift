import Testing

@testable import Scoring

@Suite("Every score stays within 0…100")
struct BoundsTests {
    @Test("components, automated and final scores over many generated jobs and configurations", arguments: 0..<8)
    func generatedJobs(seed: UInt64) throws {
        var generate = InputGenerator(seed: seed)
        let scorer = try Scorer(config: seed == 0 ? .default : generate.config())
        for _ in 0..<500 {
            let job = generate.job()
            let scored = try scorer.score(job)
            guard job.verdict != .errored else {
                #expect(scored.score == nil)
                #expect(scored.finalScore == nil)
                continue
            }
            let score = try #require(scored.score)
            for component in ScoreComponent.allCases {
                if let value = score[component] {
                    #expect((0...100).contains(value), "\(component) = \(value) for \(job)")
                }
            }
            #expect(score.correctness != nil, "a scoreable job always has correctness")
            #expect(score.quality != nil, "a scoreable job always has quality")
            if let automated = score.automated {
                #expect((0...100).contains(automated))
            }
            if let final = scored.finalScore {
                #expect((0...100).contains(final))
            }
        }
    }

    @Test("curves at their extremes")
    func extremes() {
        let quality = QualityCurve.default
        #expect(quality.score(findings: .none, linesOfCode: 0) == 100)
        let swamped = quality.score(findings: FindingCounts(error: Int(Int32.max)), linesOfCode: 1)
        #expect((0...100).contains(swamped))
        let efficiency = EfficiencyCurve.default
        #expect(efficiency.score(candidateSeconds: 0, referenceSeconds: 0) == 100)
        #expect(efficiency.score(candidateSeconds: .greatestFiniteMagnitude, referenceSeconds: 0) == 0)
        for curve in SpeedScale.Curve.allCases {
            let speed = SpeedScale(fastMs: 2_000, slowMs: 60_000, curve: curve)
            #expect(speed.score(latencyMs: 0) == 100)
            #expect(speed.score(latencyMs: .greatestFiniteMagnitude) == 0)
        }
    }

    @Test("pass@k stays within 0…1 for every valid n, c, k up to 60")
    func passAtKBounds() throws {
        for n in 1...60 {
            for c in 0...n {
                for k in 1...n {
                    let value = try PassAtK.estimate(n: n, c: c, k: k)
                    #expect((0...1).contains(value), "n=\(n) c=\(c) k=\(k)")
                }
            }
        }
    }
}
