import Testing

@testable import Scoring

@Suite("More of a good thing never lowers a score")
struct MonotonicityTests {
    @Test("turning a test from not-passed to passed never lowers correctness or the automated score")
    func morePassingTests() throws {
        var generate = InputGenerator(seed: 11)
        let scorer = try Scorer()
        for _ in 0..<400 {
            var job = generate.job(verdicts: [.passed, .failed, .timeout])
            guard let index = job.tests.firstIndex(where: { $0.status != .passed }) else { continue }
            let before = try #require(try scorer.automatedScore(for: job))
            job.tests[index].status = .passed
            let after = try #require(try scorer.automatedScore(for: job))
            let correctnessBefore = try #require(before.correctness)
            let correctnessAfter = try #require(after.correctness)
            let automatedBefore = try #require(before.automated)
            let automatedAfter = try #require(after.automated)
            #expect(correctnessAfter >= correctnessBefore)
            #expect(automatedAfter >= automatedBefore - 1e-9)
        }
    }

    @Test("adding a passing test never lowers correctness")
    func addedPassingTest() throws {
        var generate = InputGenerator(seed: 12)
        for _ in 0..<400 {
            let verdict = generate.pick([Verdict.passed, .failed, .timeout])
            let tests = generate.tests()
            let total = generate.maybe { $0.double(0...40) }
            let before = Correctness.score(verdict: verdict, tests: tests, totalTestWeight: total)
            let extra = TestOutcome(status: .passed, weight: generate.double(0.1...5))
            let after = Correctness.score(verdict: verdict, tests: tests + [extra], totalTestWeight: total)
            // An empty failing suite scores 0, so the first passing test can only help.
            let scoreBefore = try #require(before)
            let scoreAfter = try #require(after)
            #expect(scoreAfter >= scoreBefore)
        }
    }

    @Test("one more finding of any severity never raises quality", arguments: Severity.allCases)
    func moreFindings(severity: Severity) {
        var generate = InputGenerator(seed: 13)
        let curves = [QualityCurve.default] + (0..<5).map { _ in generate.config().quality }
        for curve in curves {
            for _ in 0..<200 {
                var findings = generate.findings()
                let lines = generate.int(0...400)
                let before = curve.score(findings: findings, linesOfCode: lines)
                switch severity {
                case .error: findings.error += 1
                case .warning: findings.warning += 1
                case .info: findings.info += 1
                }
                #expect(curve.score(findings: findings, linesOfCode: lines) <= before)
            }
        }
    }

    @Test("a finding never costs less than a milder one")
    func severityOrder() {
        let curve = QualityCurve.default
        let lines = 50
        let error = curve.score(findings: FindingCounts(error: 1), linesOfCode: lines)
        let warning = curve.score(findings: FindingCounts(warning: 1), linesOfCode: lines)
        let info = curve.score(findings: FindingCounts(info: 1), linesOfCode: lines)
        #expect(error < warning)
        #expect(warning < info)
        #expect(info < 100)
    }

    @Test("a slower candidate never scores higher efficiency")
    func slowerEfficiency() {
        var generate = InputGenerator(seed: 14)
        let curves = [EfficiencyCurve.default] + (0..<5).map { _ in generate.config().efficiency }
        for curve in curves {
            for _ in 0..<300 {
                let reference = generate.double(0...5)
                let fast = generate.double(0...20)
                let slow = fast + generate.double(0...20)
                #expect(
                    curve.score(candidateSeconds: slow, referenceSeconds: reference)
                        <= curve.score(candidateSeconds: fast, referenceSeconds: reference))
            }
        }
    }

    @Test("efficiency is 100 at or under the reference time and 0 beyond the zero-score ratio")
    func efficiencyAnchors() {
        let curve = EfficiencyCurve.default
        #expect(curve.score(candidateSeconds: 0.4, referenceSeconds: 0.5) == 100)
        #expect(curve.score(candidateSeconds: 0.5, referenceSeconds: 0.5) == 100)
        #expect(curve.score(candidateSeconds: 0.5 * curve.zeroScoreRatio, referenceSeconds: 0.5) == 0)
        let twiceAsSlow = curve.score(candidateSeconds: 1, referenceSeconds: 0.5)
        #expect(twiceAsSlow > 0 && twiceAsSlow < 100)
    }

    @Test("a higher latency never scores higher speed", arguments: SpeedScale.Curve.allCases)
    func slowerSpeed(curve: SpeedScale.Curve) {
        var generate = InputGenerator(seed: 15)
        var scales = [SpeedScale(fastMs: 2_000, slowMs: 60_000, curve: curve)]
        for _ in 0..<5 {
            var scale = generate.config().speed
            scale.curve = curve
            scales.append(scale)
        }
        for scale in scales {
            #expect(scale.score(latencyMs: scale.fastMs) == 100)
            #expect(scale.score(latencyMs: scale.slowMs) == 0)
            for _ in 0..<300 {
                let quick = generate.double(0...250_000)
                let slow = quick + generate.double(0...50_000)
                #expect(scale.score(latencyMs: slow) <= scale.score(latencyMs: quick))
            }
        }
    }

    @Test("the linear speed curve is halfway at the midpoint, the logarithmic one at the geometric mean")
    func speedMidpoints() {
        let fast = 2_000.0
        let slow = 60_000.0
        let linear = SpeedScale(fastMs: fast, slowMs: slow, curve: .linear)
        let logarithmic = SpeedScale(fastMs: fast, slowMs: slow, curve: .logarithmic)
        #expect(isClose(linear.score(latencyMs: (fast + slow) / 2), 50))
        #expect(isClose(logarithmic.score(latencyMs: (fast * slow).squareRoot()), 50))
    }

    @Test("a slower candidate (CPU or latency) never raises the automated score")
    func slowerComposite() throws {
        var generate = InputGenerator(seed: 16)
        let scorer = try Scorer()
        for _ in 0..<300 {
            var job = generate.job(verdicts: [.passed, .failed])
            job.testCPUTimeSeconds = generate.double(0...10)
            job.referenceCPUTimeSeconds = generate.double(0...5)
            job.latencyMs = generate.double(0...100_000)
            let before = try #require(try scorer.automatedScore(for: job)?.automated)
            job.testCPUTimeSeconds = (job.testCPUTimeSeconds ?? 0) + generate.double(0...10)
            job.latencyMs = (job.latencyMs ?? 0) + generate.double(0...100_000)
            let after = try #require(try scorer.automatedScore(for: job)?.automated)
            #expect(after <= before + 1e-9)
        }
    }
}
