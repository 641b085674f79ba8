import CSandbox
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Every sandbox running in this process, so that SIGINT or SIGTERM to crucible can kill them all
/// before it exits: nothing of a sandbox may outlive the process that made it.
public final class LiveSandboxes: Sendable {
    public static let shared = LiveSandboxes()

    private struct Entry: Sendable {
        let pidfd: Int32
        let cgroup: any Cgroup
    }

    private let entries = Mutex<[Int: Entry]>([:])
    private let nextID = Atomic<Int>(0)

    func register(pidfd: Int32, cgroup: any Cgroup) -> Int {
        let id = nextID.add(1, ordering: .relaxed).newValue
        entries.withLock { $0[id] = Entry(pidfd: pidfd, cgroup: cgroup) }
        return id
    }

    func unregister(_ id: Int) {
        _ = entries.withLock { $0.removeValue(forKey: id) }
    }

    public var count: Int { entries.withLock { $0.count } }

    /// Kills every sandbox; their runners then clean up and unregister them. Under the lock, as in `kill(_:)`:
    /// a runner that has unregistered may also have handed its cgroup to the next sandbox.
    public func killAll() {
        entries.withLock { entries in
            for entry in entries.values {
                entry.cgroup.killAll()
                _ = csbx_pidfd_signal(entry.pidfd, SIGKILL)
            }
        }
    }

    /// Kills one sandbox if its runner has not unregistered it yet. Under the lock: once unregistered, its
    /// pidfd may be closed (and the number given to another file). Only the init is signalled, which does not
    /// block: the kernel kills the rest of its pid namespace, and the runner kills through the cgroup as at
    /// every sandbox's end.
    func kill(_ id: Int) {
        entries.withLock { entries in
            if let entry = entries[id] { _ = csbx_pidfd_signal(entry.pidfd, SIGKILL) }
        }
    }

    /// Kills everything and waits (up to `timeout` seconds) until every runner has cleaned up.
    public func shutdown(timeout: Double = 10) {
        let deadline = ContinuousClock.now + .milliseconds(Int64(timeout * 1000))
        while count > 0, ContinuousClock.now < deadline {
            killAll()
            usleep(5000)
        }
    }
}

/// What ties a task running a sandbox to that sandbox: cancelling the task kills it. The cancellation may come
/// before the sandbox exists (it is then killed as soon as it is registered) or after it has ended (nothing to do).
final class RunCancellation: Sendable {
    private struct State {
        var cancelled = false
        var sandbox: Int?
    }

    private let state = Mutex(State())

    var isCancelled: Bool { state.withLock { $0.cancelled } }

    func cancel() {
        let sandbox = state.withLock { state -> Int? in
            state.cancelled = true
            return state.sandbox
        }
        if let sandbox { LiveSandboxes.shared.kill(sandbox) }
    }

    /// The sandbox the run built (its `LiveSandboxes` registration); killed at once if the run is cancelled.
    func watch(_ sandbox: Int) {
        let cancelled = state.withLock { state -> Bool in
            state.sandbox = sandbox
            return state.cancelled
        }
        if cancelled { LiveSandboxes.shared.kill(sandbox) }
    }
}
