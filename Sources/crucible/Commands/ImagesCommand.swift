import ArgumentParser
import Foundation
import Sandbox
import Synchronization
import Toolchains

/// `crucible images`: the root filesystems a policy's `image` may name (images/README.md).
struct ImagesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "images", abstract: "List and build the images sandboxes start from.",
        subcommands: [ImagesList.self, ImagesBuild.self])
}

/// Where definitions and built images are.
struct ImageOptions: ParsableArguments {
    @Option(help: "Where built images are kept (default: $CRUCIBLE_IMAGE_STORE or /var/lib/crucible/images).")
    var store: String?
    @Option(help: "The directory of image definitions (default: $CRUCIBLE_IMAGE_DEFINITIONS or the project's images/).")
    var definitions: String?

    func catalog() throws -> ImageCatalog {
        do {
            return try ImageCatalog.locate(override: definitions)
        } catch let error as ToolchainError {
            printError("crucible: \(error)")
            throw ExitCode(2)
        }
    }

    func imageStore() -> ImageStore { ImageStore.configured(override: store) }
}

struct ImagesList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "Every image: its kind, whether it is built (and current), where, its size.")

    @OptionGroup var options: ImageOptions
    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let catalog = try options.catalog()
        let store = options.imageStore()
        let builder = ImageBuilder(store: store, logger: CLILogging.logger("crucible.images"))
        var statuses = catalog.definitions.keys.sorted {
            ($0 == ImageStore.host ? "" : $0) < ($1 == ImageStore.host ? "" : $1)
        }
        .compactMap { catalog.definitions[$0] }.map { builder.status($0) }
        // Built images whose definition is gone still take space and may still be named by a policy.
        let stored = ((try? FileManager.default.contentsOfDirectory(atPath: store.directory)) ?? []).sorted()
        for name in stored where catalog.definitions[name] == nil && store.manifest(name) != nil {
            statuses.append(store.status(of: name))
        }
        if json {
            let rows = statuses.map { status -> [String: Any] in
                var row = status.json
                row["kind"] = status.state == .host ? "host" : "built"
                row["definition"] = catalog.definitions[status.name]?.file ?? NSNull()
                return row
            }
            let data = try JSONSerialization.data(
                withJSONObject: rows, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        var table = [["NAME", "KIND", "STATE", "WHERE", "SIZE", "DESCRIPTION"]]
        for status in statuses {
            let definition = catalog.definitions[status.name]
            let state: String
            switch status.state {
            case .host: state = "ready"
            case .built:
                state = "built \(status.manifest?.builtAt.prefix(16).replacingOccurrences(of: "T", with: " ") ?? "")"
            case .stale: state = "OUT OF DATE"
            case .notBuilt: state = "not built"
            }
            table.append([
                status.name, status.state == .host ? "host" : "built", state,
                status.state == .host ? "/ (the node)" : store.imageDirectory(status.name),
                status.manifest.map { humanSize($0.sizeBytes) } ?? "-",
                definition.map { String($0.description.prefix(60)) } ?? "(no definition in \(catalog.directory))",
            ])
        }
        let widths = (0..<6).map { column in table.map { $0[column].count }.max() ?? 0 }
        for row in table {
            print(
                row.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                    .joined(separator: "  ").trimmingCharacters(in: .whitespaces))
        }
        let stale = statuses.filter { $0.state == .stale }.map(\.name)
        if !stale.isEmpty {
            print(
                "\nOut of date (definition or copied host files changed): \(stale.map { "crucible images build \($0)" }.joined(separator: "; "))"
            )
        }
    }
}

struct ImagesBuild: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract:
            "Build an image: debootstrap, its packages, the node's files it copies, checks; then put it in place.",
        discussion: """
            An image built from the same definition (and the same copied host files) is not rebuilt unless --force.
            A failed build leaves the store as it was. Needs root and network access to the Debian mirror.
            Exit status: 0 built or already up to date, 1 the build failed, 2 bad input.
            """)

    @Argument(help: "The image's name (images/NAME.yaml).")
    var name: String
    @Flag(help: "Rebuild even when the image is up to date.")
    var force = false
    @OptionGroup var options: ImageOptions

    func run() throws {
        let catalog = try options.catalog()
        let definition: ImageDefinition
        do {
            definition = try catalog.definition(name)
        } catch let error as ToolchainError {
            printError("crucible: \(error)")
            throw ExitCode(2)
        }
        if definition.kind == .host {
            print("\(name) is the node's own system, bound read-only: there is nothing to build.")
            return
        }
        let showProgress = isatty(2) == 1
        let builder = ImageBuilder(
            store: options.imageStore(), logger: CLILogging.logger("crucible.images"),
            progress: { line in if showProgress { printError("… \(line)") } })
        let stop = BuildInterruption.install()
        let outcome: ImageBuilder.Outcome
        do {
            outcome = try builder.build(definition, force: force)
        } catch let error as ToolchainError {
            if let signal = stop.signal {
                // The build's processes were ended and its staging directory removed.
                printError("crucible: stopped by signal \(signal); the image store is as it was")
                throw ExitCode(128 + signal)
            }
            printError("crucible: \(error)")
            if case .invalidInput = error { throw ExitCode(2) }
            throw ExitCode(1)
        }
        let store = options.imageStore()
        switch outcome {
        case .upToDate(let manifest):
            print(
                "\(name) is up to date (built \(manifest.builtAt) from this definition) at \(store.imageDirectory(name)); --force rebuilds it."
            )
        case .built(let manifest):
            print(
                String(
                    format: "%@ built in %.0f s: %@, %d packages, at %@", name, manifest.buildSeconds,
                    humanSize(manifest.sizeBytes), manifest.installedPackages.count, store.imageDirectory(name)))
            for warning in manifest.warnings { print("warning: \(warning)") }
        }
    }
}

/// A size for people, rounded: "261 MiB", "1.9 GiB" (Quantity.formatSize writes exact policy values).
func humanSize(_ bytes: UInt64) -> String {
    let value = Double(bytes)
    if value >= Double(1 << 30) { return String(format: "%.1f GiB", value / Double(1 << 30)) }
    if value >= Double(1 << 20) { return String(format: "%.0f MiB", value / Double(1 << 20)) }
    return String(format: "%.0f KiB", value / 1024)
}

/// SIGINT, SIGTERM or SIGHUP during `images build`: end the running command (its pid namespace
/// with it), let the build fail at that step and remove its staging directory, then exit
/// 128 + the signal. Without this a stopped build would leave its staging directory to the next one.
final class BuildInterruption: Sendable {
    private let received = Atomic<Int32>(0)
    nonisolated(unsafe) private var sources: [any DispatchSourceSignal] = []

    var signal: Int32? {
        let value = received.load(ordering: .acquiring)
        return value == 0 ? nil : value
    }

    static func install() -> BuildInterruption {
        let interruption = BuildInterruption()
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
            Glibc.signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                interruption.received.store(signalNumber, ordering: .releasing)
                ProcessRunner.terminateRunning()
            }
            source.resume()
            interruption.sources.append(source)
        }
        return interruption
    }
}
