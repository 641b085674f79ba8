import Foundation

/// Wakes the requests that wait for news (long-polling agents, event streams) as soon as this replica
/// changes something. Other replicas' changes are found by the waiters' periodic re-check, so the bell only
/// makes the common case fast; it is never needed for correctness.
public actor EventBell {
    /// Registered waits; a continuation once the wait has parked.
    private var waits: [UUID: CheckedContinuation<Void, Never>?] = [:]

    public init() {}

    public func ring() {
        let woken = waits
        waits = [:]
        for case let continuation? in woken.values {
            continuation.resume()
        }
    }

    /// Returns on the next ring, or after `timeout`, or when the task is cancelled.
    public nonisolated func wait(upTo timeout: Duration) async {
        let id = UUID()
        await register(id)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: timeout) }
            group.addTask { await self.park(id) }
            await group.next()
            group.cancelAll()
            await self.finish(id)
        }
    }

    private func register(_ id: UUID) {
        waits[id] = .some(nil)
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
