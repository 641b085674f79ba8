import ArgumentParser
import Foundation
import Sandbox

struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Run programs in sandboxes.",
        subcommands: [SandboxRun.self, SandboxBench.self]
    )
}

struct SandboxRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run one program in a fresh sandbox and report what happened.",
        discussion: """
            Exit status: with --json, 0 whenever the sandbox worked (the report says what the program did);
            without it, the program's exit code (128 + signal when killed). 125: the sandbox could not be
            set up. 2: bad input.
            """
    )

    @OptionGroup var policyOptions: PolicyOptions
    @OptionGroup var limits: LimitOptions
    @Option(help: "Host directory bound read-write at /work (default: a fresh tmpfs).")
    var workdir: String?
    @Option(help: "File fed to the program's standard input (default: /dev/null).")
    var stdin: String?
    @Flag(help: "Print one JSON report instead of the program's output.")
    var json = false
    @Argument(parsing: .postTerminator, help: "The command and its arguments, after --.")
    var command: [String] = []

    func validate() throws {
        guard !command.isEmpty else {
            throw ValidationError("no command given; put it after --, as in: crucible sandbox run -- /bin/echo hi")
        }
    }

    func run() async throws {
        SignalGuard.install()
        let result: SandboxResult
        do {
            var policy = try policyOptions.load()
            try limits.apply(to: &policy)
            let runner = try SandboxRunner(logger: CLILogging.logger("crucible.sandbox"))
            let workdir = try workdir.map(absolutePath)
            let input: SandboxRequest.Input = try stdin.map { .file(try absolutePath($0)) } ?? .none
            let request = SandboxRequest(command: command, policy: policy, workdir: workdir, stdin: input)
            result = try await runner.run(request)
        } catch let error as SandboxError {
            SignalGuard.exitIfSignalled()
            throw CLIError.fail(error)
        }
        SignalGuard.exitIfSignalled()
        if json {
            print(result.jsonString())
            return
        }
        FileHandle.standardOutput.write(Data(result.stdoutBytes))
        FileHandle.standardError.write(Data(result.stderrBytes))
        if result.status != .ok && result.status != .exited {
            let hit = result.limitsHit.map(\.rawValue).joined(separator: ", ")
            printError("crucible: \(result.status.rawValue)\(hit.isEmpty ? "" : " (limits hit: \(hit))")")
        }
        if let code = result.exitCode, code != 0 { throw ExitCode(code) }
        if let signal = result.signal { throw ExitCode(128 + signal) }
    }
}

/// Makes a path absolute against the current directory, so the sandbox gets a host path it can bind.
func absolutePath(_ path: String) throws -> String {
    if path.hasPrefix("/") { return path }
    let base = FileManager.default.currentDirectoryPath
    return (base as NSString).appendingPathComponent(path)
}
