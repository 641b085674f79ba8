import Testing

@testable import Scoring

@Suite("Preference pairs")
struct PreferencePairTests {
    private func candidate(_ id: String, task: String = "t1", score: Double?, response: String? = nil)
        -> PreferenceCandidate
    {
        PreferenceCandidate(
            id: id, taskID: task, prompt: "prompt of \(task)", response: response ?? "answer \(id)", score: score)
    }

    @Test("every strictly better candidate is chosen over every worse one of the same task")
    func allPairs() throws {
        let candidates = [
            candidate("a", score: 40), candidate("b", score: 90), candidate("c", score: 70),
            candidate("x", task: "t2", score: 10), candidate("y", task: "t2", score: 20),
        ]
        let pairs = try PreferencePairs.make(from: candidates)
        let summary = pairs.map { "\($0.taskID):\($0.chosenID)>\($0.rejectedID)" }
        #expect(Set(summary) == ["t1:b>c", "t1:b>a", "t1:c>a", "t2:y>x"])
        #expect(summary.count == 4)
        for pair in pairs {
            #expect(pair.chosenScore > pair.rejectedScore)
            #expect(pair.prompt == "prompt of \(pair.taskID)")
            #expect(pair.chosen == "answer \(pair.chosenID)" && pair.rejected == "answer \(pair.rejectedID)")
        }
    }

    @Test("equal scores, unscored candidates and identical responses make no pair")
    func skipped() throws {
        let candidates = [
            candidate("a", score: 50), candidate("b", score: 50), candidate("c", score: nil),
            candidate("d", score: 90, response: "same"), candidate("e", score: 10, response: "same"),
        ]
        let pairs = try PreferencePairs.make(from: candidates)
        #expect(
            !pairs.contains { $0.chosenID == "a" && $0.rejectedID == "b" || $0.chosenID == "b" && $0.rejectedID == "a" }
        )
        #expect(!pairs.contains { $0.chosenID == "c" || $0.rejectedID == "c" })
        #expect(!pairs.contains { $0.chosenID == "d" && $0.rejectedID == "e" })
        #expect(pairs.allSatisfy { $0.chosenScore > $0.rejectedScore })
    }

    @Test("the order does not depend on the input order")
    func deterministic() throws {
        var generate = InputGenerator(seed: 31)
        let candidates = (0..<30).map { index in
            candidate("c\(index)", task: "t\(index % 4)", score: generate.maybe { $0.double(0...100).rounded() })
        }
        let forward = try PreferencePairs.make(from: candidates)
        #expect(try PreferencePairs.make(from: candidates.reversed()) == forward)
        #expect(forward.map(\.taskID) == forward.map(\.taskID).sorted())
        #expect(!forward.isEmpty)
    }

    @Test("a minimum margin drops close calls")
    func margin() throws {
        let candidates = [candidate("a", score: 50), candidate("b", score: 52), candidate("c", score: 80)]
        let pairs = try PreferencePairs.make(from: candidates, minimumMargin: 5)
        #expect(pairs.allSatisfy { $0.chosenScore - $0.rejectedScore >= 5 })
        #expect(pairs.count == 2)
    }

    @Test("bad scores, margins and mismatched prompts are named")
    func invalid() {
        #expect(
            scoringError { _ = try PreferencePairs.make(from: [candidate("a", score: 120)]) }?.field
                == "candidates[0].score")
        #expect(scoringError { _ = try PreferencePairs.make(from: [], minimumMargin: -1) }?.field == "minimum_margin")
        var other = candidate("b", score: 10)
        other.prompt = "something else"
        #expect(
            scoringError { _ = try PreferencePairs.make(from: [candidate("a", score: 20), other]) }?.field
                == "candidates[1].prompt")
    }
}
