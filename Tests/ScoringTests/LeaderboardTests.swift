import Testing

@testable import Scoring

@Suite("Leaderboard ranking")
struct LeaderboardTests {
    /// `count` jobs for `model` whose final scores spread evenly around `centre`.
    private func jobs(_ model: String, centre: Double, spread: Double, count: Int = 20) -> [ScoredJob] {
        (0..<count).map { index in
            let offset = spread * (Double(index) / Double(count - 1) - 0.5)
            return scoredJob(model: model, task: "t\(index)", verdict: .passed, final: centre + offset)
        }
    }

    @Test("models are ordered by mean final score, ranks are 1-based")
    func ordering() throws {
        let board = try Leaderboard.rank(
            jobs("low", centre: 30, spread: 4) + jobs("high", centre: 90, spread: 4)
                + jobs("mid", centre: 60, spread: 4))
        #expect(board.entries.map(\.model) == ["high", "mid", "low"])
        #expect(board.entries.map(\.rank) == [1, 2, 3])
        #expect(board.entries.allSatisfy { !$0.tiedWithPrevious })
        for entry in board.entries {
            #expect(entry.ciLow <= entry.score && entry.score <= entry.ciHigh)
        }
    }

    @Test("overlapping intervals are ties that share the rank above; separated ones are not")
    func ties() throws {
        let board = try Leaderboard.rank(
            jobs("a", centre: 80, spread: 40) + jobs("b", centre: 78, spread: 40) + jobs("c", centre: 20, spread: 2))
        #expect(board.entries.map(\.model) == ["a", "b", "c"])
        let a = board.entries[0]
        let b = board.entries[1]
        let c = board.entries[2]
        #expect(max(a.ciLow, b.ciLow) <= min(a.ciHigh, b.ciHigh), "the data makes a and b overlap")
        #expect(b.tiedWithPrevious && b.rank == a.rank)
        #expect(c.ciHigh < b.ciLow, "the data keeps c apart")
        #expect(!c.tiedWithPrevious && c.rank == 3)
    }

    @Test("equal scores keep a fixed order by model name, whatever the input order")
    func stableOrder() throws {
        let all = jobs("zeta", centre: 50, spread: 0) + jobs("alpha", centre: 50, spread: 0)
        let forward = try Leaderboard.rank(all)
        let backward = try Leaderboard.rank(all.reversed())
        #expect(forward.entries.map(\.model) == ["alpha", "zeta"])
        #expect(forward == backward)
        #expect(forward.entries[1].tiedWithPrevious)
    }

    @Test("the same seed gives the same leaderboard; a model's interval ignores the other models")
    func reproducible() throws {
        var generate = InputGenerator(seed: 8)
        let all = (0..<60).map { index in
            scoredJob(model: "m\(index % 3)", task: "t\(index)", final: generate.double(0...100))
        }
        let options = LeaderboardOptions(seed: 1234)
        #expect(try Leaderboard.rank(all, options: options) == Leaderboard.rank(all, options: options))
        let alone = try Leaderboard.rank(all.filter { $0.outcome.model == "m1" }, options: options)
        let together = try Leaderboard.rank(all, options: options)
        #expect(alone.entries.first?.interval == together.entries.first { $0.model == "m1" }?.interval)
        let reseeded = try Leaderboard.rank(all, options: LeaderboardOptions(seed: 4321))
        #expect(reseeded.entries.map(\.interval) != together.entries.map(\.interval))
    }

    @Test("aggregates: pass rate, pass@1, latency, cost, and errored jobs left out")
    func aggregates() throws {
        let rows: [ScoredJob] = [
            scoredJob(model: "m", task: "a", verdict: .passed, final: 90, latencyMs: 100, costUSD: 0.25),
            scoredJob(model: "m", task: "a", verdict: .failed, final: 40, latencyMs: 300, costUSD: 0.25),
            scoredJob(model: "m", task: "b", verdict: .passed, final: 80, latencyMs: 200, costUSD: 0.5),
            scoredJob(model: "m", task: "c", verdict: .buildFailed, final: 0, latencyMs: nil, costUSD: nil),
            scoredJob(model: "m", task: "c", verdict: .errored, final: nil, latencyMs: 9_999, costUSD: 7),
        ]
        let entry = try #require(try Leaderboard.rank(rows).entries.first)
        #expect(entry.jobs == 4)
        #expect(entry.erroredJobs == 1)
        let meanScore: Double = (90 + 40 + 80 + 0) / 4
        #expect(isClose(entry.score, meanScore))
        #expect(isClose(entry.passRate, 0.5))
        // Per task: a 1 of 2, b 1 of 1, c 0 of 1.
        let passAtOne: Double = (0.5 + 1 + 0) / 3
        #expect(isClose(entry.passAt1, passAtOne))
        #expect(isClose(entry.meanLatencyMs, 200))
        // Type-7 quantile of [100, 200, 300] at 0.95: position 1.9.
        let p95: Double = 200 + 0.9 * 100
        #expect(isClose(entry.p95LatencyMs, p95))
        #expect(isClose(entry.totalCostUSD, 1))
        #expect(isClose(entry.costPerPassedUSD, 0.5))
    }

    @Test("pass@k per model: the mean of the unbiased estimates over tasks, absent when a task has fewer than k")
    func passAtK() throws {
        // Model m: task a 2 of 4 passed, task b 1 of 3 (and one errored job, never counted).
        let verdicts: [(String, Verdict)] = [
            ("a", .passed), ("a", .failed), ("a", .passed), ("a", .failed),
            ("b", .failed), ("b", .passed), ("b", .timeout), ("b", .errored),
        ]
        let rows = verdicts.map { scoredJob(model: "m", task: $0.0, verdict: $0.1, final: $0.1 == .errored ? nil : 50) }
        let entry = try #require(
            try Leaderboard.rank(rows, options: LeaderboardOptions(passAtK: [1, 2, 3, 4])).entries.first)
        // By hand: pass@k = 1 - C(n-c, k) / C(n, k).
        let a: [Int: Double] = [1: 2.0 / 4, 2: 1 - 1.0 / 6, 3: 1]
        let b: [Int: Double] = [1: 1.0 / 3, 2: 1 - 1.0 / 3, 3: 1]
        for k in 1...3 {
            #expect(isClose(try #require(entry.passAtK[k]), ((a[k] ?? -1) + (b[k] ?? -1)) / 2), "k=\(k)")
        }
        #expect(entry.passAtK[4] == nil, "task b has only 3 scoreable candidates: no pass@4")
        #expect(isClose(try #require(entry.passAtK[1]), entry.passAt1))
        #expect(throws: ScoringError.self) { try Leaderboard.rank(rows, options: LeaderboardOptions(passAtK: [0])) }
    }

    @Test("no passed job means no cost per pass; no reported cost or latency means null, not 0")
    func absentAggregates() throws {
        let entry = try #require(
            try Leaderboard.rank([scoredJob(model: "m", verdict: .failed, final: 10)]).entries.first)
        #expect(entry.costPerPassedUSD == nil)
        #expect(entry.totalCostUSD == nil)
        #expect(entry.meanLatencyMs == nil)
        #expect(entry.p95LatencyMs == nil)
        #expect(entry.ciLow == 10 && entry.ciHigh == 10)
    }

    @Test("a model with only errored jobs is listed as unranked, not scored 0")
    func onlyErrored() throws {
        let board = try Leaderboard.rank(
            [scoredJob(model: "broken-node", verdict: .errored, final: nil), scoredJob(model: "ok", final: 70)])
        #expect(board.entries.map(\.model) == ["ok"])
        #expect(board.unranked == [UnrankedModel(model: "broken-node", jobs: 0, erroredJobs: 1)])
    }

    @Test(
        "filters apply before ranking",
        arguments: [
            LeaderboardFilter(language: "go"), LeaderboardFilter(scenario: "debugging"),
            LeaderboardFilter(difficulty: "hard"), LeaderboardFilter(language: "go", difficulty: "hard"),
        ])
    func filtering(filter: LeaderboardFilter) throws {
        var generate = InputGenerator(seed: 9)
        let all = (0..<200).map { index in
            scoredJob(
                model: "m\(index % 4)", task: "t\(index % 13)", verdict: generate.pick([.passed, .failed]),
                final: generate.double(0...100), language: generate.pick(["go", "python"]),
                scenario: generate.pick(["debugging", "code-generation"]), difficulty: generate.pick(["easy", "hard"]))
        }
        let expected = all.filter {
            (filter.language ?? $0.outcome.language) == $0.outcome.language
                && (filter.scenario ?? $0.outcome.scenario) == $0.outcome.scenario
                && (filter.difficulty ?? $0.outcome.difficulty) == $0.outcome.difficulty
        }
        #expect(expected.count < all.count)
        let filtered = try Leaderboard.rank(all, options: LeaderboardOptions(filter: filter))
        #expect(filtered == (try Leaderboard.rank(expected)))
        #expect(filtered.entries.reduce(0) { $0 + $1.jobs } == expected.count)
    }

    @Test("bad bootstrap options are refused")
    func invalidOptions() {
        let error = scoringError { _ = try Leaderboard.rank([], options: LeaderboardOptions(resamples: 0)) }
        #expect(error?.field == "resamples")
    }
}
