import Testing

@testable import Scoring

/// Every k-subset of 0..<n, by recursion: the brute-force oracle for pass@k.
private func subsets(of n: Int, size k: Int, from start: Int = 0) -> [[Int]] {
    guard k > 0 else { return [[]] }
    guard start < n else { return [] }
    return subsets(of: n, size: k - 1, from: start + 1).map { [start] + $0 } + subsets(of: n, size: k, from: start + 1)
}

@Suite("pass@k")
struct PassAtKTests {
    @Test("matches the fraction of k-subsets holding a correct sample, for every n ≤ 10")
    func bruteForce() throws {
        for n in 1...10 {
            for c in 0...n {
                for k in 1...n {
                    // Samples 0..<c are the correct ones.
                    let all = subsets(of: n, size: k)
                    let hits = all.filter { subset in subset.contains { $0 < c } }.count
                    let expected = Double(hits) / Double(all.count)
                    let estimate = try PassAtK.estimate(n: n, c: c, k: k)
                    #expect(isClose(estimate, expected, tolerance: 1e-12), "n=\(n) c=\(c) k=\(k)")
                }
            }
        }
    }

    @Test("stays exact for n in the hundreds: pass@1 = c/n and, with one correct sample, pass@k = k/n")
    func largeN() throws {
        for n in [100, 250, 500, 999] {
            for c in [0, 1, n / 3, n - 1, n] {
                #expect(isClose(try PassAtK.estimate(n: n, c: c, k: 1), Double(c) / Double(n), tolerance: 1e-12))
            }
            for k in [1, 7, n / 2, n - 1, n] {
                #expect(isClose(try PassAtK.estimate(n: n, c: 1, k: k), Double(k) / Double(n), tolerance: 1e-12))
            }
        }
    }

    @Test("grows with c and with k")
    func monotone() throws {
        let n = 300
        for k in stride(from: 1, through: n, by: 23) {
            var previous = -1.0
            for c in stride(from: 0, through: n, by: 7) {
                let value = try PassAtK.estimate(n: n, c: c, k: k)
                #expect(value >= previous)
                previous = value
            }
        }
        for c in stride(from: 0, through: n, by: 31) {
            var previous = -1.0
            for k in stride(from: 1, through: n, by: 13) {
                let value = try PassAtK.estimate(n: n, c: c, k: k)
                #expect(value >= previous)
                previous = value
            }
        }
    }

    @Test(
        "rejects impossible arguments, naming them",
        arguments: [(0, 0, 1, "n"), (5, -1, 1, "c"), (5, 6, 1, "c"), (5, 2, 0, "k"), (5, 2, 6, "k")])
    func invalid(n: Int, c: Int, k: Int, field: String) {
        let error = scoringError { _ = try PassAtK.estimate(n: n, c: c, k: k) }
        #expect(error?.field == field)
        #expect(error?.code == .invalidArgument)
    }

    @Test("the mean over tasks averages each task's estimate and names a bad task")
    func meanOverTasks() throws {
        let tasks = [(n: 4, c: 1), (n: 10, c: 10), (n: 3, c: 0)]
        let expected = try tasks.map { try PassAtK.estimate(n: $0.n, c: $0.c, k: 2) }.reduce(0, +) / 3
        #expect(isClose(try PassAtK.mean(tasks, k: 2), expected))
        #expect(try PassAtK.mean([], k: 1) == nil)
        let error = scoringError { _ = try PassAtK.mean([(n: 4, c: 1), (n: 1, c: 1)], k: 2) }
        #expect(error?.field == "tasks[1].k")
    }
}
