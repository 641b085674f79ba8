import ArgumentParser
import Foundation
import Sandbox
import Toolchains

struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Show and check sandbox policies.",
        subcommands: [PolicyShow.self, PolicyCheck.self]
    )
}

struct PolicyShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Print the effective policy, with the resolved system call list.")

    @OptionGroup var policyOptions: PolicyOptions
    @Option(help: "Show the policy one toolchain's step runs under (python, go, …).")
    var toolchain: String?
    @Option(help: "The step: build, test or quality (with --toolchain).")
    var step: String?
    @Option(help: "The test mode whose steps to show: framework, program or io.")
    var mode = "framework"
    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        if (toolchain == nil) != (step == nil) { throw ValidationError("--toolchain and --step go together") }
    }

    func run() async throws {
        do {
            var policy = try policyOptions.load()
            if let toolchain, let step {
                let definition: ToolchainDefinition
                do {
                    definition = try ToolchainCatalog.locate().toolchain(toolchain)
                } catch let error as ToolchainError {
                    printError("crucible: \(error)")
                    throw ExitCode(2)
                }
                guard let found = definition.step(mode: mode, name: step) else {
                    printError(
                        "crucible: the \(toolchain) toolchain has no step '\(step)' in mode \(mode); steps are build, test, quality"
                    )
                    throw ExitCode(2)
                }
                policy = definition.stepPolicy(policy, env: found.env, limits: found.limits)
                policy.mounts += definition.mounts.map {
                    MountRule(
                        target: $0.path, kind: .bind, source: $0.path, readOnly: true, optional: true, size: nil,
                        line: nil)
                }
                if !json { print("# \(toolchain) \(mode) \(step): \(found.argv.joined(separator: " "))") }
            }
            let program = try SeccompCompiler.compile(policy.seccomp)
            let image = ImageReport.status(of: policy.image)
            if json {
                print(PolicyDescription.json(policy, program: program, image: image))
            } else {
                print(
                    PolicyDescription.text(
                        policy, program: program, source: policyOptions.policy ?? "built-in default", image: image))
            }
        } catch let error as SandboxError {
            throw CLIError.fail(error)
        }
    }
}

struct PolicyCheck: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Run the built-in hostile probes under a policy and print a containment report.",
        discussion: "Exit status: 0 when every probe was contained, 1 when one was not, 2 bad input, 125 node failure."
    )

    @OptionGroup var policyOptions: PolicyOptions
    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        SignalGuard.install()
        let findings: [PolicyChecker.Finding]
        do {
            let policy = try policyOptions.load()
            let runner = try SandboxRunner(logger: CLILogging.logger("crucible.policy"))
            findings = try await PolicyChecker(runner: runner, policy: policy).checkAll()
        } catch let error as SandboxError {
            throw CLIError.fail(error)
        }
        let escaped = findings.filter { !$0.contained }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let report = ContainmentReport(contained: escaped.isEmpty, probes: findings)
            print(String(decoding: (try? encoder.encode(report)) ?? Data(), as: UTF8.self))
        } else {
            print(ContainmentTable.render(findings))
            print(
                escaped.isEmpty
                    ? "\nAll \(findings.count) probes contained."
                    : "\n\(escaped.count) of \(findings.count) probes NOT contained: \(escaped.map(\.probe).joined(separator: ", "))"
            )
        }
        if !escaped.isEmpty { throw ExitCode(1) }
    }
}

struct ContainmentReport: Codable {
    var contained: Bool
    var probes: [PolicyChecker.Finding]
}

enum ContainmentTable {
    static func render(_ findings: [PolicyChecker.Finding]) -> String {
        let headers = ["probe", "expected", "got", "verdict"]
        let rows = findings.map { [$0.probe, $0.expected, $0.got, $0.contained ? "contained" : "NOT CONTAINED"] }
        var widths = headers.map(\.count)
        for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        var output = [line(headers), line(widths.map { String(repeating: "-", count: $0) })]
        for (finding, row) in zip(findings, rows) {
            output.append(line(row))
            output.append("    \(finding.attempt): \(finding.detail)")
        }
        return output.joined(separator: "\n")
    }
}

/// What this node has of a policy's image, for `policy show`: from the store, and out of date when
/// its definition (if this node has the definitions) has changed since it was built.
enum ImageReport {
    static func status(of name: String) -> ImageStatus {
        let store = ImageStore.configured()
        if let definition = (try? ImageCatalog.locate())?.definitions[name] {
            return ImageBuilder(store: store, logger: CLILogging.logger("crucible.images")).status(definition)
        }
        return store.status(of: name)
    }
}
