import Agent
import ArgumentParser
import CrucibleAPI
import Foundation

/// `crucible cancel`: stops a run that is no longer wanted.
struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel a run: its unfinished jobs are cancelled, and steps running on nodes are killed.",
        discussion: """
            Jobs that finished keep their results and scores. A node kills a cancelled job's running step at its \
            next heartbeat (10 s by default). Cancelling a run that has ended changes nothing. Prints the run's \
            summary. Exit status: 0 done, 2 no such run (or bad input), 125 the control plane failed.
            """)

    @OptionGroup var client: ClientOptions
    @Argument(help: "The run's id, as `crucible submit` printed it.")
    var runID: String

    func run() async throws {
        let id = runID
        try await client.withClient(logger: CLILogging.logger("crucible.cancel")) { client in
            print(RunProgress.summary(try await client.cancelRun(id: id)))
        }
    }
}
