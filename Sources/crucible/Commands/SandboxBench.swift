import ArgumentParser
import Foundation
import Sandbox

struct SandboxBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Spawn N sandboxes in-process, P at a time; report p50/p95 latency and sandboxes per second."
    )

    @OptionGroup var policyOptions: PolicyOptions
    @Option(help: "How many sandboxes in all.")
    var count = 200
    @Option(help: "How many at once.")
    var parallel = 2
    @Flag(help: "Print {\"count\", \"parallel\", \"p50_ms\", \"p95_ms\", \"per_second\", \"failures\"}.")
    var json = false
    @Argument(parsing: .postTerminator, help: "The command, after --.")
    var command: [String] = []

    func validate() throws {
        guard !command.isEmpty else {
            throw ValidationError("no command given; as in: crucible sandbox bench -- /bin/true")
        }
        guard count >= 1 else { throw ValidationError("--count \(count): give at least 1") }
        guard (1...256).contains(parallel) else { throw ValidationError("--parallel \(parallel): give 1 to 256") }
    }

    func run() async throws {
        SignalGuard.install()
        let report: BenchReport
        do {
            let policy = try policyOptions.load()
            let runner = try SandboxRunner(logger: CLILogging.logger("crucible.bench"))
            _ = try runner.prepare(policy)
            report = try await SandboxBenchmark(runner: runner, policy: policy, command: command)
                .run(count: count, parallel: parallel)
        } catch let error as SandboxError {
            throw CLIError.fail(error)
        }
        if json {
            print(report.jsonString())
        } else {
            print(
                String(
                    format: "%d sandboxes, %d at a time: p50 %.2f ms, p95 %.2f ms, %.0f sandboxes/s, %d failures",
                    report.count, report.parallel, report.p50Milliseconds, report.p95Milliseconds, report.perSecond,
                    report.failures))
        }
    }
}
