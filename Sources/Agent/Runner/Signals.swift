import Foundation
import Synchronization

/// A flag that goes up once and wakes everyone waiting for it: drain requested, lease revoked, stop.
final class OneShot: Sendable {
    private struct State {
        var fired = false
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextID = 0
    }

    private let state = Mutex(State())

    var isFired: Bool { state.withLock { $0.fired } }

    func fire() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard !state.fired else { return [] }
            state.fired = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once fired, or as soon as the calling task is cancelled.
    func wait() async {
        let id = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                // Checked under the lock the cancellation handler takes: no wake-up is lost either way.
                let resumeNow = state.withLock { state -> Bool in
                    if state.fired || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }
}

/// One taken slot, given back exactly once: as soon as its job's last sandbox has ended, or when the job's
/// task ends, whichever comes first.
final class TakenSlot: Sendable {
    let slot: Int
    private let pool: SlotPool
    private let released = Atomic<Bool>(false)

    init(_ slot: Int, of pool: SlotPool) {
        self.slot = slot
        self.pool = pool
    }

    func release() {
        if released.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged {
            pool.release(slot)
        }
    }
}

/// The sandbox slots of one agent. A slot is a host uid range of the sandbox, so two jobs running at once
/// must never share one, and a slot is free again only once its job's last sandbox has ended.
final class SlotPool: Sendable {
    private struct State {
        var free: [Int]
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextID = 0
    }

    private let state: Mutex<State>
    let capacity: Int

    init(base: Int, count: Int) {
        capacity = count
        // Lowest first, so a lightly loaded node keeps reusing the same few uids.
        state = Mutex(State(free: Array((base..<(base + count)).reversed())))
    }

    var freeCount: Int { state.withLock { $0.free.count } }
    var busyCount: Int { capacity - freeCount }

    func take() -> Int? {
        state.withLock { $0.free.popLast() }
    }

    func release(_ slot: Int) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.free.append(slot)
            state.free.sort(by: >)
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once a slot is free (at once if one is), or when the calling task is cancelled.
    func waitForFree() async {
        let id = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if !state.free.isEmpty || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }
}

/// Runs `operation` until it finishes or `signal` fires, whichever is first; on the signal the operation is
/// cancelled. Its value is returned whenever it produced one (a lease that arrived just as a drain began
/// still names jobs this agent holds); nil only when the signal won and the operation gave nothing back.
func race<T: Sendable>(_ operation: @escaping @Sendable () async -> T?, until signal: OneShot) async -> T? {
    await withTaskGroup(of: T?.self) { group in
        group.addTask { await operation() }
        group.addTask {
            await signal.wait()
            return nil
        }
        var value: T?
        for await result in group {
            group.cancelAll()
            if let result { value = result }
        }
        return value
    }
}

/// Sleeps, returning early (false) when the task is cancelled or `signal` fires.
func sleep(for duration: Duration, unless signal: OneShot) async -> Bool {
    let slept = await race(
        {
            do {
                try await Task.sleep(for: duration)
                return true
            } catch {
                return nil
            }
        }, until: signal)
    return slept ?? false
}
