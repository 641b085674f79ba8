import ArgumentParser
import Foundation
import Sandbox

/// `crucible up`: the whole appliance on one machine.
struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Run the control plane and a local agent in one process, on the embedded SQLite store.",
        discussion: """
            State lives in --data (default ./crucible-data). On first start an admin token is written to \
            DATA/admin.token (mode 0600) unless CRUCIBLE_ADMIN_TOKEN is set; clients (crucible submit, \
            crucible leaderboard) read it from there. SIGTERM or SIGINT: running jobs finish, then everything stops.
            """)

    @Option(help: "Data directory: the SQLite store, the admin token, the agent's spool.")
    var data = StoreOptions.defaultDataDirectory
    @Option(help: "Address to serve the API on (HOST:PORT).")
    var listen = ListenAddress(host: "127.0.0.1", port: 7700)
    @Option(help: "Jobs run at once (default: the number of cores).")
    var slots: Int?
    @OptionGroup var policyOptions: PolicyOptions

    func validate() throws {
        if let slots, !(1...1024).contains(slots) {
            throw ValidationError("--slots \(slots): give a number from 1 to 1024")
        }
    }

    func run() async throws {
        let logger = CLILogging.logger("crucible.up", defaultLevel: .info)
        let policy: SandboxPolicy
        do {
            policy = try policyOptions.load()
        } catch let error as SandboxError {
            throw CLIError.fail(error)
        }
        let appliance = Appliance(dataDirectory: data, listen: listen, slots: slots, policy: policy, logger: logger)
        let data = data
        try await appliance.run(onReady: { running in
            print("crucible is up: \(running.url)  (token: \(data)/admin.token, data: \(data))")
            fflush(nil)
        })
    }
}
