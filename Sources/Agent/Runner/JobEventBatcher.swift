import CrucibleAPI
import Foundation
import Synchronization

/// Collects one job's progress events and sends them in batches, never more than `maxDelay` behind.
///
/// The first event after a quiet spell waits up to `linger` (100 ms) for company, so a short job's events
/// (running, its steps, its tests) go out in one request with its end instead of two; events that arrive
/// within `window` of the last batch wait for the next one, so a burst of test results becomes a few requests
/// instead of hundreds. The window is half of `maxDelay`, and the linger no longer than the window: the other
/// half is headroom for a busy node's scheduling and the request itself, so a watcher still sees each event
/// within `maxDelay`. `emit` is synchronous and cheap: it is called from the evaluator's progress callback.
final class JobEventBatcher: Sendable {
    private struct State {
        var queued: [JobEvent] = []
        var nextSeq = 1
        var lastSent: ContinuousClock.Instant?
        /// When the first event after a quiet spell was queued.
        var quietEnded: ContinuousClock.Instant?
        var closed = false
    }

    private let state = Mutex(State())
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    /// Fired by `close`: the last events go out at once, not at the end of the window. (The job's completion
    /// waits for them, and the control plane counts the slot busy until the completion arrives.)
    private let closing = OneShot()
    let maxDelay: Duration
    /// Batches go out at most this often.
    let window: Duration
    /// How long the first event after a quiet spell waits for others.
    let linger: Duration
    let maxBatch: Int

    init(maxDelay: Duration = .milliseconds(250), maxBatch: Int = 500) {
        self.maxDelay = maxDelay
        self.window = maxDelay / 2
        self.linger = min(window, .milliseconds(100))
        self.maxBatch = maxBatch
        (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Queues an event; numbered from 1 in the order emitted.
    func emit(_ payload: JobEventPayload, at date: Date = Date()) {
        let accepted = state.withLock { state -> Bool in
            guard !state.closed else { return false }
            // Taking a batch clears `quietEnded`, so an empty queue means a quiet spell is ending.
            if state.queued.isEmpty { state.quietEnded = .now }
            state.queued.append(JobEvent(seq: state.nextSeq, at: date, payload: payload))
            state.nextSeq += 1
            return true
        }
        if accepted { wake.yield() }
    }

    /// No more events: `run` sends what is queued without waiting and returns.
    func close() {
        state.withLock { $0.closed = true }
        closing.fire()
        wake.finish()
    }

    /// Sends batches until closed and empty. `send` does its own retrying and never throws: progress is
    /// best effort (the completion carries every step and test anyway).
    func run(send: @Sendable ([JobEvent]) async -> Void) async {
        var iterator = wakeups.makeAsyncIterator()
        while true {
            let (hasEvents, closed, due) = state.withLock { state in
                (
                    !state.queued.isEmpty, state.closed,
                    [state.lastSent.map { $0 + window }, state.quietEnded.map { $0 + linger }].compactMap { $0 }.max()
                )
            }
            if !hasEvents {
                if closed { return }
                // Wait for the next event (or close); cancellation ends the stream too.
                if await iterator.next() == nil {
                    if state.withLock({ $0.queued.isEmpty }) { return }
                }
                continue
            }
            // Wait out the window or the linger, unless `close` comes first.
            if let due, due > .now, !Task.isCancelled {
                _ = await sleep(for: due - .now, unless: closing)
            }
            let batch = state.withLock { state -> [JobEvent] in
                let batch = Array(state.queued.prefix(maxBatch))
                state.queued.removeFirst(batch.count)
                state.lastSent = .now
                state.quietEnded = nil
                return batch
            }
            if !batch.isEmpty { await send(batch) }
            if Task.isCancelled { return }
        }
    }
}
