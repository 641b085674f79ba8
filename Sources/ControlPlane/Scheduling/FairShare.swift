import Foundation

/// Decides which runs the next free slots go to. Capacity is shared equally between tenants, then between a
/// tenant's runs in proportion to their priority, counting the jobs each already has leased or running. So a
/// 10-job run submitted after a 10,000-job run gets every other free slot, not the slots left after the big
/// one: nothing starves. Ties go to the older run.
public enum FairShare {
    public struct Queue: Sendable, Hashable {
        public var runID: String
        public var tenant: String
        public var priority: Int
        /// Jobs of the run leased or running now.
        public var active: Int
        /// Jobs of the run waiting that this agent could take.
        public var queued: Int
        public var createdAt: Double

        public init(runID: String, tenant: String, priority: Int, active: Int, queued: Int, createdAt: Double) {
            self.runID = runID
            self.tenant = tenant
            self.priority = priority
            self.active = active
            self.queued = queued
            self.createdAt = createdAt
        }
    }

    /// How many of `slots` jobs to take from each run. `tenantActive` counts every active job of a tenant,
    /// including runs with nothing left to queue.
    public static func allocate(_ queues: [Queue], tenantActive: [String: Int], slots: Int) -> [String: Int] {
        var taken: [String: Int] = [:]
        var tenantLoad = tenantActive
        for queue in queues where tenantLoad[queue.tenant] == nil {
            tenantLoad[queue.tenant] = 0
        }
        let ordered = queues.sorted { ($0.createdAt, $0.runID) < ($1.createdAt, $1.runID) }
        for _ in 0..<max(0, slots) {
            let open = ordered.filter { taken[$0.runID, default: 0] < $0.queued }
            guard !open.isEmpty else {
                break
            }
            // The least-served tenant first; among equals, the one whose oldest open run is oldest.
            guard
                let tenant = open.min(by: { tenantLoad[$0.tenant, default: 0] < tenantLoad[$1.tenant, default: 0] })?
                    .tenant
            else {
                break
            }
            let share = { (queue: Queue) -> Double in
                Double(queue.active + taken[queue.runID, default: 0]) / Double(max(1, queue.priority))
            }
            guard let run = open.filter({ $0.tenant == tenant }).min(by: { share($0) < share($1) }) else {
                break
            }
            taken[run.runID, default: 0] += 1
            tenantLoad[tenant, default: 0] += 1
        }
        return taken
    }
}
