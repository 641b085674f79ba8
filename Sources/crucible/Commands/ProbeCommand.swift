import ArgumentParser
import Foundation
import Sandbox

/// `crucible probe NAME`: one hostile probe. Run by `crucible policy check` inside a sandbox;
/// never useful on the host.
struct ProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe", abstract: "Run one hostile probe (inside a sandbox).", shouldDisplay: false)

    @Argument(help: "The probe's name.")
    var name: String

    func run() throws {
        throw ExitCode(HostileProbe.runInside(name))
    }
}
