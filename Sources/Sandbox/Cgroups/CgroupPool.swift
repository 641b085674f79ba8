import Foundation
import Synchronization

/// Sandbox cgroups made ahead of time, and removed after the fact: creating a sandbox's cgroups (five
/// directories on v1, each with its limits written) and removing them take about 0.2 ms each, which a
/// thread of the pool spends while no sandbox waits for it.
///
/// A cgroup serves exactly one sandbox: its memory counters (peak, OOM kills) cannot be reset, so none is
/// handed out twice. What a driver says may serve again (v1's hierarchies other than memory: a `CgroupRemnant`)
/// goes into the next cgroup the pool makes. Spares are kept for the few limit sets last asked for. Every pool
/// is emptied when the process exits (and a crashed process's are swept at the next start, like any
/// sandbox's), so nothing is left behind.
final class CgroupPool: @unchecked Sendable {
    /// Spares kept per set of limits.
    static let spares = 2
    /// Sets of limits kept spares for: the most recent ones (a job's steps use two or three).
    static let limitSets = 4
    /// Remnants kept for cgroups yet to be made; the rest are removed.
    static let remnantsKept = spares * limitSets

    private let driver: any CgroupDriver
    /// Held for the whole of a drain (see `drain`).
    private let draining = NSLock()
    // Every stored property below is guarded by `condition`.
    private let condition = NSCondition()
    private var spare: [CgroupLimits: [any Cgroup]] = [:]
    private var recent: [CgroupLimits] = []
    private var doomed: [any Cgroup] = []
    private var remnants: [CgroupRemnant] = []
    /// Ones that could not be removed yet (a process stuck in the kernel): tried again when the pool drains.
    private var stubborn: [any Cgroup] = []
    private var working = true
    /// The worker is creating or removing one right now, outside the lock.
    private var busy = false

    /// Shared by every pool of the process: cgroup names must be unique per process.
    private static let counter = Atomic<Int>(0)
    private struct Registered {
        weak var pool: CgroupPool?
    }
    private static let all = Mutex<[ObjectIdentifier: Registered]>([:])

    init(driver: any CgroupDriver) {
        self.driver = driver
        Self.registerExitHandler
        Self.all.withLock { $0[ObjectIdentifier(self)] = Registered(pool: self) }
        let worker = Thread { [weak self] in self?.work() }
        worker.name = "crucible-cgroup-pool"
        worker.stackSize = 256 << 10
        worker.start()
    }

    /// A fresh cgroup with these limits: a spare if there is one, else made now.
    func take(_ limits: CgroupLimits) throws -> any Cgroup {
        condition.lock()
        recent.removeAll { $0 == limits }
        recent.append(limits)
        if recent.count > Self.limitSets {
            for stale in recent.prefix(recent.count - Self.limitSets) {
                doomed += spare.removeValue(forKey: stale) ?? []
            }
            recent.removeFirst(recent.count - Self.limitSets)
        }
        let taken = working ? spare[limits]?.popLast() : nil
        condition.signal()
        condition.unlock()
        return try taken ?? Self.make(driver, limits)
    }

    /// A cgroup whose sandbox has ended (its processes killed, its usage read): removed by the pool's thread.
    func giveBack(_ cgroup: any Cgroup) {
        condition.lock()
        let queued = working
        if queued {
            doomed.append(cgroup)
            condition.signal()
        }
        condition.unlock()
        if !queued { try? cgroup.remove() }
    }

    /// Removes every spare and every cgroup given back, now; the pool makes new spares when next asked.
    /// Returns once they are all gone, even those another thread's drain took: the runner's deinit and the
    /// exit handler may drain at once, and the process must not exit while the first is still removing.
    func drain() {
        draining.lock()
        defer { draining.unlock() }
        condition.lock()
        while busy { condition.wait() }
        let leftovers = doomed + stubborn + spare.values.joined()
        let unused = remnants
        doomed = []
        stubborn = []
        spare = [:]
        recent = []
        remnants = []
        condition.unlock()
        for cgroup in leftovers { try? cgroup.remove() }
        for remnant in unused { remnant.discard() }
    }

    /// Drains for good: later cgroups are made and removed by their own sandboxes.
    func stop() {
        condition.lock()
        working = false
        condition.broadcast()
        condition.unlock()
        drain()
    }

    deinit {
        _ = Self.all.withLock { $0.removeValue(forKey: ObjectIdentifier(self)) }
    }

    private static func make(
        _ driver: any CgroupDriver, _ limits: CgroupLimits, reusing remnant: CgroupRemnant? = nil
    ) throws -> any Cgroup {
        let name = "\(CgroupNaming.prefix)\(getpid())-\(counter.add(1, ordering: .relaxed).newValue)"
        guard let remnant else { return try driver.create(name: name, limits: limits) }
        return try driver.create(name: name, limits: limits, reusing: remnant)
    }

    private enum Chore {
        case remove(any Cgroup)
        case make(CgroupLimits, CgroupRemnant?)
        case discard(CgroupRemnant)
    }

    private func work() {
        while true {
            condition.lock()
            var chore: Chore?
            while working {
                if let cgroup = doomed.popLast() {
                    chore = .remove(cgroup)
                } else if let limits = recent.last(where: { (spare[$0]?.count ?? 0) < Self.spares }) {
                    chore = .make(limits, remnants.popLast())
                } else if remnants.count > Self.remnantsKept {
                    chore = .discard(remnants.removeFirst())
                }
                if chore != nil { break }
                condition.wait()
            }
            busy = chore != nil
            condition.unlock()
            guard let chore else { return }
            var made: (CgroupLimits, any Cgroup)?
            var kept: (any Cgroup)?
            var remnant: CgroupRemnant?
            switch chore {
            case .remove(let cgroup):
                do { remnant = try cgroup.retire() } catch { kept = cgroup }
            case .make(let limits, let reusing):
                made = (try? Self.make(driver, limits, reusing: reusing)).map { (limits, $0) }
            case .discard(let surplus):
                surplus.discard()
            }
            condition.lock()
            busy = false
            if let kept { stubborn.append(kept) }
            if let remnant { remnants.append(remnant) }
            if let (limits, cgroup) = made {
                if working && recent.contains(limits) {
                    spare[limits, default: []].append(cgroup)
                } else {
                    doomed.append(cgroup)
                }
            } else if case .make = chore {
                // Cannot make cgroups now (a full hierarchy, a read-only mount): sandboxes make their own, and
                // report why.
                recent = []
            }
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Every pool is emptied when the process exits, however it exits short of SIGKILL (`exit()`, the end
    /// of `main`, SignalGuard's exit after a signal).
    private static let registerExitHandler: Void = {
        atexit {
            for pool in CgroupPool.all.withLock({ $0.values.compactMap(\.pool) }) { pool.stop() }
        }
    }()
}
