import Foundation

/// Clean-up that must follow a sandbox's (or a job's) end but that nothing should wait for, done in order on a
/// thread of its own. Its items are the slow ends of things: a namespace's or a mount's teardown waits out an
/// RCU grace period, and removing a directory may wait for the disk (a discard, on a file system mounted with
/// `discard`). Each takes well under a millisecond at the median but up to a few, and on a job's own path they
/// left a core idle between jobs.
///
/// An item runs within milliseconds of being added. `drain()` waits for every item added so far, and the
/// process drains the queue at exit. A crash before an item ran leaves what the next start sweeps (workspace
/// mounts, cgroups); a descriptor goes with the process.
public final class CleanupQueue: @unchecked Sendable {
    public static let shared = CleanupQueue()

    // Guarded by `condition`.
    private let condition = NSCondition()
    private var queued: [@Sendable () -> Void] = []
    /// Taken off the queue and not yet done.
    private var running = 0

    private init() {
        atexit { CleanupQueue.shared.drain() }
        let worker = Thread { [self] in work() }
        worker.name = "crucible-cleanup"
        worker.stackSize = 256 << 10
        worker.start()
    }

    /// Queues one item.
    public func add(_ item: @escaping @Sendable () -> Void) {
        condition.lock()
        queued.append(item)
        condition.broadcast()
        condition.unlock()
    }

    /// Returns once every item added so far has run.
    public func drain() {
        condition.lock()
        while !queued.isEmpty || running > 0 { condition.wait() }
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            while queued.isEmpty { condition.wait() }
            let batch = queued
            queued = []
            running = batch.count
            condition.unlock()
            for item in batch { item() }
            condition.lock()
            running = 0
            condition.broadcast()
            condition.unlock()
        }
    }
}
