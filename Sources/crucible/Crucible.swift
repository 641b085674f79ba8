import ArgumentParser
import Foundation

/// The one executable: a command-line front end for the whole appliance.
@main
struct Crucible: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crucible",
        abstract: "Run and judge untrusted, AI-written code in sandboxes.",
        subcommands: [
            SandboxCommand.self, PolicyCommand.self, ExecCommand.self, ToolchainsCommand.self, ImagesCommand.self,
            TasksCommand.self, UpCommand.self, ControlPlaneCommand.self, TokensCommand.self, ProbeCommand.self,
            AgentCommand.self, SubmitCommand.self, CancelCommand.self, LeaderboardCommand.self, DemoCommand.self,
            ControlPlaneBench.self,
        ]
    )

    /// Exit codes: 0 fine, 2 bad input, 125 the sandbox or node failed; others are the command's.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }

    static func exit(withError error: any Error) -> Never {
        // A code a command chose (a sandboxed program's own exit status, say) passes through unchanged.
        if let chosen = error as? ExitCode { Foundation.exit(chosen.rawValue) }
        let code = exitCode(for: error)
        let message = fullMessage(for: error)
        if !message.isEmpty {
            if code == .success { print(message) } else { FileHandle.standardError.write(Data((message + "\n").utf8)) }
        }
        // ArgumentParser says 64 for a bad command line; this project says 2 (as DESIGN.md does).
        Foundation.exit(code.rawValue == ExitCode.validationFailure.rawValue ? 2 : code.rawValue)
    }
}
