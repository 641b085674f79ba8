import Foundation

/// `crucible sandbox bench`: N sandboxes in this process, P at a time, each timed from request to report.
public struct SandboxBenchmark: Sendable {
    let runner: SandboxRunner
    let policy: SandboxPolicy
    let command: [String]

    public init(runner: SandboxRunner, policy: SandboxPolicy, command: [String]) {
        self.runner = runner
        self.policy = policy
        self.command = command
    }

    /// Each of the P workers is one thread running sandboxes back to back, in its own slot (host uid).
    public func run(count: Int, parallel: Int) async throws -> BenchReport {
        let started = ContinuousClock.now
        let perWorker = (0..<parallel).map { worker in (count - worker + parallel - 1) / parallel }
        let results = try await withThrowingTaskGroup(of: ([Double], Int).self) { group in
            for (worker, share) in perWorker.enumerated() where share > 0 {
                group.addTask {
                    try await withCheckedThrowingContinuation { continuation in
                        let thread = Thread {
                            continuation.resume(with: Result { try self.work(slot: worker, count: share) })
                        }
                        thread.stackSize = 1 << 20
                        thread.start()
                    }
                }
            }
            var latencies: [Double] = []
            var failures = 0
            for try await (times, failed) in group {
                latencies += times
                failures += failed
            }
            return (latencies, failures)
        }
        let elapsed = (ContinuousClock.now - started).seconds
        let sorted = results.0.sorted()
        func percentile(_ p: Double) -> Double {
            guard !sorted.isEmpty else { return 0 }
            return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
        }
        return BenchReport(
            count: count, parallel: parallel, p50Milliseconds: percentile(0.5) * 1000,
            p95Milliseconds: percentile(0.95) * 1000, perSecond: Double(count) / elapsed, failures: results.1)
    }

    private func work(slot: Int, count: Int) throws -> ([Double], Int) {
        var times: [Double] = []
        var failures = 0
        for _ in 0..<count {
            let start = ContinuousClock.now
            let result = try runner.runBlocking(SandboxRequest(command: command, policy: policy, slot: slot))
            times.append((ContinuousClock.now - start).seconds)
            if result.status != .ok { failures += 1 }
        }
        return (times, failures)
    }
}

public struct BenchReport: Sendable, Codable, Equatable {
    public var count: Int
    public var parallel: Int
    public var p50Milliseconds: Double
    public var p95Milliseconds: Double
    public var perSecond: Double
    public var failures: Int

    enum CodingKeys: String, CodingKey {
        case count, parallel
        case p50Milliseconds = "p50_ms"
        case p95Milliseconds = "p95_ms"
        case perSecond = "per_second"
        case failures
    }

    public func jsonString() -> String {
        guard let data = try? JSONEncoder().encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
