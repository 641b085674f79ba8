import Foundation
import Testing

@testable import Scoring

enum JSONTestCoding {
    static func decode<T: Decodable>(_ type: T.Type, from json: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(json.utf8))
    }

    /// The top-level object's keys and values.
    static func object(_ value: some Encodable) throws -> [String: Any] {
        let data = try JSONEncoder().encode(value)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }
}

@Suite("JSON shapes match DESIGN.md")
struct CodableTests {
    @Test("the score object has DESIGN's keys and writes absent components as null")
    func jobScore() throws {
        let object = try JSONTestCoding.object(
            JobScore(correctness: 80, quality: 95, efficiency: nil, speed: 60, automated: 77.5))
        #expect(Set(object.keys) == ["correctness", "quality", "efficiency", "speed", "automated"])
        #expect(object["efficiency"] is NSNull)
        #expect(object["automated"] as? Double == 77.5)
    }

    @Test("a leaderboard entry uses DESIGN's snake_case keys")
    func leaderboardEntry() throws {
        let board = try Leaderboard.rank([scoredJob(model: "m", final: 50, latencyMs: 10, costUSD: 1)])
        let entry = try JSONTestCoding.object(try #require(board.entries.first))
        let designKeys: Set = [
            "rank", "model", "score", "ci_low", "ci_high", "pass_rate", "pass_at_1", "jobs", "mean_latency_ms",
            "total_cost_usd",
        ]
        #expect(designKeys.isSubset(of: Set(entry.keys)))
        #expect(entry.keys.allSatisfy { $0 == $0.lowercased() })
        #expect(entry["tied_with_previous"] as? Bool == false)
        let top = try JSONTestCoding.object(board)
        #expect(top["entries"] is [Any])
    }

    @Test("a job outcome decodes from snake_case JSON with optional parts left out")
    func jobOutcome() throws {
        let json = #"""
            {"task_id": "py-fizzbuzz-easy", "model": "m1", "verdict": "build_failed",
             "tests": [{"status": "passed"}, {"status": "failed", "weight": 2}],
             "latency_ms": 1200, "judgements": [{"kind": "self_review", "score": 70}]}
            """#
        let job = try JSONTestCoding.decode(JobOutcome.self, from: json)
        #expect(job.taskID == "py-fizzbuzz-easy")
        #expect(job.verdict == .buildFailed)
        #expect(job.tests == [TestOutcome(status: .passed, weight: 1), TestOutcome(status: .failed, weight: 2)])
        #expect(job.latencyMs == 1200)
        #expect(job.referenceCPUTimeSeconds == nil)
        #expect(job.findings == .none)
        #expect(job.judgements == [Judgement(kind: .selfReview, score: 70)])
    }

    @Test("weights round-trip through JSON")
    func weightsRoundTrip() throws {
        let config = ScoringConfig(
            weights: ScoreWeights(correctness: 1, quality: 2, efficiency: 0, speed: 3),
            speed: SpeedScale(fastMs: 100, slowMs: 900, curve: .linear), buildFailureScoresZero: false)
        let data = try JSONEncoder().encode(config)
        #expect(try JSONDecoder().decode(ScoringConfig.self, from: data) == config)
        let object = try JSONTestCoding.object(config)
        #expect(
            Set(object.keys) == [
                "weights", "judge_weights", "quality", "efficiency", "speed", "build_failure_scores_zero",
            ])
    }

    @Test("a preference pair has prompt, chosen and rejected")
    func preferencePair() throws {
        let pairs = try PreferencePairs.make(from: [
            PreferenceCandidate(id: "a", taskID: "t", prompt: "p", response: "good", score: 90),
            PreferenceCandidate(id: "b", taskID: "t", prompt: "p", response: "bad", score: 10),
        ])
        let object = try JSONTestCoding.object(try #require(pairs.first))
        #expect(object["prompt"] as? String == "p")
        #expect(object["chosen"] as? String == "good")
        #expect(object["rejected"] as? String == "bad")
    }
}
