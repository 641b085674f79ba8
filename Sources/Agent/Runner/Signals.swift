import Foundation
import Synchronization

/// A value behind a lock, and the tasks waiting for it to meet a condition: every change wakes them to look
/// again. What the agent's flags, slots and held jobs are made of.
final class Watched<Value: Sendable>: Sendable {
    private struct State {
        var value: Value
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextID = 0
    }

    private let state: Mutex<State>

    init(_ value: Value) {
        state = Mutex(State(value: value))
    }

    func read<T>(_ body: (Value) -> T) -> T {
        state.withLock { body($0.value) }
    }

    /// Changes the value and wakes every waiter.
    func update<T>(_ body: (inout Value) -> T) -> T {
        let (result, waiters) = state.withLock { state -> (T, [CheckedContinuation<Void, Never>]) in
            let result = body(&state.value)
            defer { state.waiters = [:] }
            return (result, Array(state.waiters.values))
        }
        for waiter in waiters { waiter.resume() }
        return result
    }

    /// Returns once `condition` holds (at once if it does), or as soon as the calling task is cancelled.
    func wait(until condition: (Value) -> Bool) async {
        let id = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        while !Task.isCancelled, !read(condition) {
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    // Checked under the lock `update` and the cancellation handler take: no wake-up is lost.
                    let resumeNow = state.withLock { state -> Bool in
                        if condition(state.value) || Task.isCancelled { return true }
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
}

/// A flag that goes up once and wakes everyone waiting for it: drain requested, lease revoked, stop.
final class OneShot: Sendable {
    private let fired = Watched(false)

    var isFired: Bool { fired.read { $0 } }

    func fire() {
        fired.update { $0 = true }
    }

    /// Returns once fired, or as soon as the calling task is cancelled.
    func wait() async {
        await fired.wait { $0 }
    }
}

/// The sandbox slots of one agent. A slot is a host uid range of the sandbox, so two jobs running at once
/// must never share one, and a slot is free again only once its job's last sandbox has ended.
final class SlotPool: Sendable {
    private let free: Watched<[Int]>
    let capacity: Int

    init(base: Int, count: Int) {
        capacity = count
        // Lowest first, so a lightly loaded node keeps reusing the same few uids.
        free = Watched(Array((base..<(base + count)).reversed()))
    }

    var freeCount: Int { free.read(\.count) }
    var busyCount: Int { capacity - freeCount }

    func take() -> Int? {
        free.update { $0.popLast() }
    }

    /// Takes a slot, waiting for one to be free; nil when the calling task is cancelled first.
    func takeWhenFree() async -> Int? {
        while !Task.isCancelled {
            if let slot = take() { return slot }
            await free.wait { !$0.isEmpty }
        }
        return nil
    }

    func release(_ slot: Int) {
        free.update { free in
            free.append(slot)
            free.sort(by: >)
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

/// The leased jobs an agent holds that have not finished running (waiting for a slot, or in one), so the
/// lease loop never asks for more than it may hold.
final class HeldJobs: Sendable {
    private let held = Watched(0)

    var count: Int { held.read { $0 } }

    /// Holds `jobs` more; each is let go once through its `HeldJob`.
    func hold(_ jobs: Int) -> [HeldJob] {
        held.update { $0 += jobs }
        return (0..<jobs).map { _ in HeldJob(of: self) }
    }

    fileprivate func letGo() {
        held.update { $0 -= 1 }
    }

    /// Returns once fewer than `limit` jobs are held (at once if so), or when the calling task is cancelled.
    func waitUntilFewer(than limit: Int) async {
        await held.wait { $0 < limit }
    }
}

/// One held job, let go exactly once: when its result is recorded, or when it ends without one.
final class HeldJob: Sendable {
    private let jobs: HeldJobs
    private let done = Atomic<Bool>(false)

    fileprivate init(of jobs: HeldJobs) {
        self.jobs = jobs
    }

    func letGo() {
        if done.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged {
            jobs.letGo()
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
