import Foundation

/// Wakes the requests that wait for news (long-polling agents, event streams) as soon as this replica
/// changes something. Other replicas' changes are found by the waiters' periodic re-check, so the bell only
/// makes the common case fast; it is never needed for correctness.
///
/// A waiter reads `rings` before it looks for news and waits for a ring after that count: a ring that comes
/// between its look and its wait is not lost (it used to cost the waiter its whole re-check interval, 250 ms,
/// about one run start in four under `crucible up`).
public actor EventBell {
    /// Registered waits; a continuation once the wait has parked.
    private var waits: [UUID: CheckedContinuation<Void, Never>?] = [:]
    /// How many times the bell has rung.
    public private(set) var rings: UInt64 = 0

    public init() {}

    public func ring() {
        rings &+= 1
        let woken = waits
        waits = [:]
        for case let continuation? in woken.values {
            continuation.resume()
        }
    }

    /// Returns once the bell has rung more than `seen` times (at once if it has already), or after `timeout`,
    /// or when the task is cancelled.
    public nonisolated func wait(after seen: UInt64, upTo timeout: Duration) async {
        let id = UUID()
        guard await register(id, after: seen) else {
            return
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: timeout) }
            group.addTask { await self.park(id) }
            await group.next()
            group.cancelAll()
            await self.finish(id)
        }
    }

    /// Registers a wait, unless the bell rang since `seen`.
    private func register(_ id: UUID, after seen: UInt64) -> Bool {
        guard rings == seen else {
            return false
        }
        waits[id] = .some(nil)
        return true
    }

    private func park(_ id: UUID) async {
        // Rung or finished before parking: nothing to wait for.
        guard waits[id] != nil else {
            return
        }
        await withCheckedContinuation { waits[id] = $0 }
    }

    private func finish(_ id: UUID) {
        if case let continuation?? = waits.removeValue(forKey: id) {
            continuation.resume()
        }
    }
}
