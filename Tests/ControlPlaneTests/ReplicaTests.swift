import ControlPlane
import CrucibleAPI
import Foundation
import Logging
import Testing

/// Several control planes sharing one PostgreSQL: each has its own connection pool, as separate processes
/// would, and they lease, expire and complete at the same time.
@Suite("PostgreSQL replicas")
struct ReplicaTests {
    @Test func twoReplicasNeverLeaseAJobTwiceAndEachJobHasOneResult() async throws {
        let fixture = try await StoreFixture.make(.postgres)
        let url = try #require(fixture.postgresURL)
        let secondDatabase = try PostgresDatabase(url: url, logger: Logger(label: "replica-2"))
        let pool = Task { await secondDatabase.run() }
        let replicas = [fixture.store, Store(database: secondDatabase, logger: Logger(label: "replica-2"))]
        let run = try await fixture.store.createRun(Samples.run(tasks: 100, candidatesPerTask: 3), tenant: "acme")
        var agents: [String] = []
        for index in 0..<6 {
            agents.append(try await replicas[index % 2].registerAgent(Samples.registration("n\(index)", slots: 500)))
        }
        // Every agent asks both replicas over and over, and completes what it gets through the other one,
        // while both replicas' reapers run.
        let leased = try await withThrowingTaskGroup(of: [LeasedJob].self) { group in
            for (index, agent) in agents.enumerated() {
                group.addTask {
                    var mine: [LeasedJob] = []
                    for round in 0..<40 {
                        let replica = replicas[(index + round) % 2]
                        let jobs = try await replica.lease(agentID: agent, maxJobs: 4)
                        for job in jobs {
                            _ = try await replicas[(index + round + 1) % 2].complete(
                                jobID: job.jobID, agentID: agent, leaseID: job.leaseID,
                                result: Samples.result(for: job))
                        }
                        _ = try await replica.expireLeases()
                        mine += jobs
                    }
                    return mine
                }
            }
            var all: [LeasedJob] = []
            for try await jobs in group {
                all += jobs
            }
            return all
        }
        #expect(leased.count == 300)
        #expect(Set(leased.map(\.jobID)).count == 300, "no job was leased twice")
        let status = try await replicas[1].runStatus(id: run.id, tenant: "acme")
        #expect(status.jobs.completed == 300)
        #expect(status.state == .completed)
        let events = try await replicas[0].events(runID: run.id, after: 0, limit: 10_000)
        #expect(events.map(\.id) == Array(1...events.count), "event ids have no gaps across replicas")
        await secondDatabase.close()
        await pool.value
        await fixture.close()
    }
}
