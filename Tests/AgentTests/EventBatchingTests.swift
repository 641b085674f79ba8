import CrucibleAPI
import Foundation
import Synchronization
import Testing

@testable import Agent

@Suite("Job events: batched, never more than 250 ms behind")
struct EventBatchingTests {
    /// What a send closure saw: each batch and when it went out.
    final class Sent: Sendable {
        private let batches = Mutex<[(events: [JobEvent], at: Date)]>([])
        func record(_ events: [JobEvent]) { batches.withLock { $0.append((events, Date())) } }
        var all: [(events: [JobEvent], at: Date)] { batches.withLock { $0 } }
    }

    /// Slack for a loaded build machine on top of the 250 ms window.
    static let slack = 0.15

    /// Runs `batcher`, `sent` recording its batches, while `feed` emits; then closes it. Returns how long that
    /// took and how late the scheduler woke meanwhile.
    static func drive(
        _ batcher: JobEventBatcher, into sent: Sent, _ feed: @Sendable () async -> Void
    ) async throws -> (seconds: Double, latency: SchedulerLatency) {
        try await SchedulerLatency.measure {
            let started = ContinuousClock.now
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await batcher.run { sent.record($0) } }
                await feed()
                batcher.close()
            }
            return (ContinuousClock.now - started).seconds
        }
    }

    @Test func aLoneEventWaitsOnlyTheLinger() async throws {
        // A long window: a lone event that waited for it (for company) would be seconds late; the linger
        // holds it 100 ms at most.
        let batcher = JobEventBatcher(maxDelay: .seconds(20))
        let sent = Sent()
        let (_, latency) = try await Self.drive(batcher, into: sent) {
            batcher.emit(.jobState(.running))
            _ = await eventually { !sent.all.isEmpty }
        }
        let first = try #require(sent.all.first)
        #expect(first.events.map(\.seq) == [1])
        #expect(first.at.timeIntervalSince(first.events[0].at) < 1 + latency.worstLateness)
    }

    /// A job that ends within the linger: its first events and its last go out in one request.
    @Test func aShortJobIsOneRequest() async throws {
        let batcher = JobEventBatcher(maxDelay: .milliseconds(250))
        let sent = Sent()
        let (_, latency) = try await Self.drive(batcher, into: sent) {
            batcher.emit(.jobState(.running))
            try? await Task.sleep(for: .milliseconds(20))
            batcher.emit(.test(TestResult(name: "a", status: .passed)))
        }
        #expect(sent.all.flatMap(\.events).map(\.seq) == [1, 2])
        // Only a scheduler stalled past the linger may split it.
        #expect(sent.all.count == 1 || latency.worstLateness > 0.07, "\(sent.all.count) requests")
    }

    @Test func aBurstBecomesFewBatchesInOrder() async {
        let batcher = JobEventBatcher(maxDelay: .milliseconds(250))
        let sent = Sent()
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await batcher.run { events in
                    sent.record(events)
                    try? await Task.sleep(for: .milliseconds(30))  // a request takes a while
                }
            }
            for index in 0..<300 {
                batcher.emit(.test(TestResult(name: "t\(index)", status: .passed)))
            }
            try? await Task.sleep(for: .milliseconds(400))
            batcher.close()
        }
        let seqs = sent.all.flatMap { $0.events.map(\.seq) }
        #expect(seqs == Array(1...300), "every event once, numbered from 1 in order")
        #expect(sent.all.count <= 3, "\(sent.all.count) requests for one burst")
    }

    @Test func steadyEventsAreNeverMoreThanTheWindowBehind() async throws {
        let batcher = JobEventBatcher(maxDelay: .milliseconds(250))
        let sent = Sent()
        let (_, latency) = try await Self.drive(batcher, into: sent) {
            for index in 0..<30 {
                batcher.emit(.test(TestResult(name: "t\(index)", status: .passed)))
                try? await Task.sleep(for: .milliseconds(40))
            }
        }
        var lags: [Double] = []
        for (events, at) in sent.all {
            for event in events { lags.append(at.timeIntervalSince(event.at)) }
        }
        #expect(lags.count == 30)
        let bound = 0.25 + Self.slack + latency.worstLateness
        #expect((lags.max() ?? 1) <= bound, "worst lag \(lags.max() ?? -1) s, bound \(bound) s")
        #expect(sent.all.count < 30, "batched: \(sent.all.count) requests for 30 events")
        #expect(sent.all.count >= 4 || latency.worstLateness > 0.2, "but not held for the whole job: \(sent.all.count)")
    }

    @Test func closingFlushesAtOnce() async throws {
        // A window far longer than any stall of a busy test run: waiting it out could not go unnoticed.
        let batcher = JobEventBatcher(maxDelay: .seconds(120))
        let sent = Sent()
        let (elapsed, latency) = try await Self.drive(batcher, into: sent) {
            batcher.emit(.jobState(.running))
            try? await Task.sleep(for: .milliseconds(50))
            batcher.emit(.test(TestResult(name: "a", status: .passed)))
        }
        // Half the window: far from it, yet out of reach of a starved machine (seen: 35 s with 4 busy loops).
        #expect(elapsed < 60 + latency.worstLateness, "not held for the 120 s window")
        #expect(sent.all.flatMap(\.events).map(\.seq) == [1, 2])
        batcher.emit(.test(TestResult(name: "late", status: .passed)))  // after close: ignored, no crash
    }
}
