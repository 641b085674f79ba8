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

    /// Kills every sandbox; their runners then clean up and unregister them.
    public func killAll() {
        let all = entries.withLock { Array($0.values) }
        for entry in all {
            entry.cgroup.killAll()
            _ = csbx_pidfd_signal(entry.pidfd, SIGKILL)
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
