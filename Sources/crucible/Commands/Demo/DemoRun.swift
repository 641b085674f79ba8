import Agent
import CrucibleAPI
import Foundation

/// Submits the demo's runs and follows their events until every job is done.
struct DemoRun {
    let client: ControlPlaneClient
    let plan: DemoPlan

    func execute() async throws -> DemoReport {
        let uploaded = try await client.createTasks(TaskUpload(tasks: plan.tasks))
        print("task bank: \(uploaded.ids.count) tasks loaded")
        let bankRun = try await client.createRun(
            RunSubmission(
                name: "demo: sample bank", taskIDs: plan.tasks.map(\.id), candidates: plan.bankCandidates))
        let hostileRun = try await client.createRun(
            RunSubmission(
                name: "demo: hostile and looping models", tasks: plan.hostileTasks,
                candidates: plan.hostileCandidates))
        print("runs: \(bankRun.id) (\(bankRun.jobs) jobs), \(hostileRun.id) (\(hostileRun.jobs) jobs)\n")
        fflush(nil)
        let progress = RunProgress(total: bankRun.jobs + hostileRun.jobs, interactive: Terminal.isInteractive)
        let log = DemoLog(interactive: Terminal.isInteractive)
        let client = client
        try await withThrowingTaskGroup(of: Void.self) { group in
            for run in [bankRun, hostileRun] {
                group.addTask {
                    for try await event in client.streamRunEvents(runID: run.id) {
                        progress.record(event)
                        log.record(event)
                    }
                }
            }
            try await group.waitForAll()
        }
        progress.finish()
        return DemoReport(runIDs: [bankRun.id, hostileRun.id], plan: plan)
    }
}

/// One line per finished job when the output is not a terminal (a log file shows the run's course).
final class DemoLog: @unchecked Sendable {
    private let interactive: Bool
    private let lock = NSLock()
    private var done = 0

    init(interactive: Bool) {
        self.interactive = interactive
    }

    func record(_ event: RunEvent) {
        guard !interactive, case .jobState(let change) = event.payload, change.state.isFinal else {
            return
        }
        let count = lock.withLock {
            done += 1
            return done
        }
        print("  [\(count)] \(change.model) on \(change.taskID): \(change.verdict?.rawValue ?? change.state.rawValue)")
    }
}
