import CrucibleAPI
import Foundation
import Logging
import Sandbox
import Testing

@testable import Toolchains

/// `crucible images build` without a mirror: a build that fails leaves the store as it was and says
/// which step failed; an image built from the same definition is not built again.
@Suite(.enabled(if: ImageBuildFixtures.canBuild, "needs root and debootstrap (make test installs it)"))
struct ImageBuildTests {
    static let unreachable = """
        schema: 1
        kind: debootstrap
        description: a mirror nothing listens on
        suite: bookworm
        mirror: http://127.0.0.1:9/debian
        security_mirror: none
        packages:
          python: [python3]
        """

    @Test func aFailedBuildLeavesNothingAndNamesTheStep() throws {
        let store = try ImageBuildFixtures.temporaryStore()
        defer { try? FileManager.default.removeItem(atPath: store.directory) }
        let definition = try ImageDefinition.parse(Self.unreachable, name: "unreachable", file: "unreachable.yaml")
        let builder = ImageBuilder(store: store, logger: Logger(label: "crucible.tests"))
        let error = #expect(throws: ToolchainError.self) { try builder.build(definition) }
        guard case .imageBuild(let image, let step, let message) = error else {
            Issue.record("not a build failure: \(String(describing: error))")
            return
        }
        #expect(image == "unreachable" && step == "debootstrap", "\(step): \(message)")
        #expect(message.contains("debootstrap") && message.contains("full log"), "\(message)")
        #expect(store.status(of: "unreachable").state == .notBuilt)
        #expect(ImageBuildFixtures.leftovers(store).isEmpty, "\(ImageBuildFixtures.leftovers(store))")
    }

    @Test func aMissingHostFileFailsBeforeAnythingIsDownloaded() throws {
        let store = try ImageBuildFixtures.temporaryStore()
        defer { try? FileManager.default.removeItem(atPath: store.directory) }
        let text = Self.unreachable + "\ncopy_from_host:\n  - {path: /nonexistent/tool, why: a tool the node lacks}\n"
        let definition = try ImageDefinition.parse(text, name: "needs-tool", file: "needs-tool.yaml")
        let error = #expect(throws: ToolchainError.self) {
            try ImageBuilder(store: store, logger: Logger(label: "crucible.tests")).build(definition)
        }
        #expect(error?.description.contains("step 'prepare'") == true, "\(String(describing: error))")
        #expect(error?.description.contains("/nonexistent/tool") == true)
        #expect(ImageBuildFixtures.leftovers(store).isEmpty)
    }

    /// Up to date: nothing runs (the unreachable mirror would fail). Changed: a rebuild is tried, and
    /// when it fails the image that was there is still there, whole.
    @Test func anUpToDateImageIsNotRebuiltAndAFailedRebuildKeepsTheOldOne() throws {
        let store = try ImageBuildFixtures.temporaryStore()
        defer { try? FileManager.default.removeItem(atPath: store.directory) }
        let builder = ImageBuilder(store: store, logger: Logger(label: "crucible.tests"))
        let definition = try ImageDefinition.parse(Self.unreachable, name: "kept", file: "kept.yaml")
        try ImageBuildFixtures.pretendBuilt(definition, in: store, hash: builder.definitionHash(definition))
        guard case .upToDate = try builder.build(definition) else {
            Issue.record("an up-to-date image was rebuilt")
            return
        }
        #expect(builder.status(definition).state == .built)

        var changed = definition
        changed.packages = [.init(toolchain: "python", packages: ["python3", "python3-pytest"])]
        #expect(builder.status(changed).state == .stale)
        #expect(throws: ToolchainError.self) { try builder.build(changed) }
        #expect(FileManager.default.fileExists(atPath: store.rootDirectory("kept") + "/etc/crucible-image"))
        #expect(store.manifest("kept")?.definitionSHA256 == builder.definitionHash(definition))
        // --force on the unchanged definition tries too, and fails the same safe way.
        #expect(throws: ToolchainError.self) { try builder.build(definition, force: true) }
        #expect(store.status(of: "kept").state == .built)
        #expect(ImageBuildFixtures.leftovers(store).isEmpty)
    }
}

/// The real thing, kept out of `make test` (images/README.md says why): debootstrap of
/// images/bookworm-python.yaml from the Debian mirror, then sandboxes and a Python job in it.
/// `make test-images` runs it (CRUCIBLE_TEST_DEBOOTSTRAP=1); the image is kept in
/// CRUCIBLE_TEST_IMAGE_STORE (default /var/tmp/crucible-test-images), so a second run finds it up to date.
@Suite(
    .enabled(
        if: ImageBuildFixtures.canBuild && ImageBuildFixtures.debootstrapRequested, "set CRUCIBLE_TEST_DEBOOTSTRAP=1"),
    .serialized)
struct DebootstrapImageTests {
    @Test func aBuiltImageIsWhatTheSandboxSees() async throws {
        let store = ImageStore(
            directory: ProcessInfo.processInfo.environment["CRUCIBLE_TEST_IMAGE_STORE"]
                ?? "/var/tmp/crucible-test-images")
        let definition = try ImageCatalog.locate().definition("bookworm-python")
        let builder = ImageBuilder(
            store: store, logger: Logger(label: "crucible.tests"), progress: { print("image build: \($0)") })
        let start = ContinuousClock.now
        let outcome = try builder.build(definition)
        if case .built(let manifest) = outcome {
            print(
                "bookworm-python built in \(ContinuousClock.now - start): \(manifest.steps), \(manifest.sizeBytes) bytes"
            )
        }
        guard case .upToDate = try builder.build(definition) else {
            Issue.record("a second build of the same definition rebuilt the image")
            return
        }

        let runner = try SandboxRunner(logger: Logger(label: "crucible.tests"), images: store)
        var policy = try PolicyLoader.defaultPolicy()
        policy.image = "bookworm-python"
        let script = "cat /etc/debian_version; cat /etc/crucible-image; ls /usr/bin | wc -l"
        let inImage = try await runner.run(
            SandboxRequest(command: ["/bin/sh", "-c", script], policy: policy, slot: 7100))
        #expect(inImage.status == .ok, "\(inImage.stderr)")
        let lines = inImage.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("12.") == true, "\(inImage.stdout)")
        #expect(lines.contains("name=bookworm-python"), "\(inImage.stdout)")
        #expect(lines.contains("definition_sha256=\(builder.definitionHash(definition))"))

        var hostPolicy = policy
        hostPolicy.image = "host"
        let onHost = try await runner.run(
            SandboxRequest(command: ["/bin/sh", "-c", script], policy: hostPolicy, slot: 7101))
        #expect(!onHost.stdout.contains("name=bookworm-python"))
        // A minimal image has a few hundred programs; this node, with every toolchain, thousands.
        let imageCount = Int(lines.last ?? "") ?? 0
        let hostCount = Int(onHost.stdout.split(separator: "\n").last ?? "") ?? 0
        #expect(imageCount > 50 && imageCount < hostCount, "image \(imageCount), host \(hostCount)")

        // A Python job judged entirely on the image's files: pytest and ruff from the image.
        let bank = try TaskBank.locate()
        let taskPath = try #require(bank.taskFiles(language: "python").first)
        let task = try TaskFiles.readTask(taskPath)
        let evaluator = Evaluator(
            runner: runner, catalog: try ToolchainCatalog.locate(), policy: policy,
            logger: Logger(label: "crucible.tests"))
        let result = await evaluator.evaluate(
            task: task, candidateFiles: try #require(task.reference), model: "reference", slot: 7102)
        #expect(
            result.verdict == .passed,
            "\(result.error ?? "") \(result.steps.map { "\($0.name): \($0.stderr.suffix(300))" })")
        #expect(result.steps.contains { $0.name == .quality }, "ruff ran")

        // A Go job cannot run on a Python-only image: the node's fault, with what to do.
        if let goPath = bank.taskFiles(language: "go").first {
            let goTask = try TaskFiles.readTask(goPath)
            let goResult = await evaluator.evaluate(
                task: goTask, candidateFiles: try #require(goTask.reference), model: "reference", slot: 7103)
            #expect(goResult.verdict == .errored)
            #expect(goResult.error?.contains("has no go toolchain") == true, "\(goResult.error ?? "")")
        }
    }
}

/// What the agent sees when its policy names an image the node has not built: an errored job
/// (never the candidate's fault) that says how to build it.
@Suite(.enabled(if: ToolchainFixtures.available, "needs root and the toolchains"))
struct ImageSelectionTests {
    @Test func anEvaluatorOnAnImageThatIsNotBuiltErrorsWithTheBuildCommand() async throws {
        let store = try ImageBuildFixtures.temporaryStore()
        defer { try? FileManager.default.removeItem(atPath: store.directory) }
        let runner = try SandboxRunner(logger: Logger(label: "crucible.tests"), images: store)
        var policy = try PolicyLoader.defaultPolicy()
        policy.image = "bookworm"
        let bank = try TaskBank.locate()
        let task = try TaskFiles.readTask(try #require(bank.taskFiles(language: "python").first))
        let evaluator = Evaluator(
            runner: runner, catalog: try ToolchainCatalog.locate(), policy: policy,
            logger: Logger(label: "crucible.tests"))
        let result = await evaluator.evaluate(
            task: task, candidateFiles: try #require(task.reference), model: "reference")
        #expect(result.verdict == .errored)
        #expect(result.error?.contains("crucible images build bookworm") == true, "\(result.error ?? "")")
    }
}

enum ImageBuildFixtures {
    static let canBuild = geteuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/debootstrap")
    static let debootstrapRequested = ProcessInfo.processInfo.environment["CRUCIBLE_TEST_DEBOOTSTRAP"] == "1"

    /// A store of its own under /var/tmp (same filesystem for staging and image, as in production).
    static func temporaryStore() throws -> ImageStore {
        let directory = "/var/tmp/crucible-test-store-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return ImageStore(directory: directory)
    }

    /// Entries of the store other than finished images, the build log, the lock and the package cache.
    static func leftovers(_ store: ImageStore) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: store.directory)) ?? []).filter { entry in
            !entry.hasSuffix(".build.log") && !entry.hasSuffix(".lock") && entry != ".cache"
                && store.manifest(entry) == nil
        }
    }

    /// An image in the store as if built from `definition`.
    static func pretendBuilt(_ definition: ImageDefinition, in store: ImageStore, hash: String) throws {
        let staging = try store.makeStaging(definition.name)
        try FileManager.default.createDirectory(atPath: staging + "/root/etc", withIntermediateDirectories: true)
        try "name=\(definition.name)\n".write(
            toFile: staging + "/root/etc/crucible-image", atomically: true, encoding: .utf8)
        let manifest = ImageManifest(
            name: definition.name, kind: "debootstrap", definitionSHA256: hash, builtAt: "2026-01-01T00:00:00Z",
            suite: definition.suite, variant: definition.variant, mirror: "none", toolchains: ["python"],
            requestedPackages: definition.allPackages, installedPackages: [], hostCopies: [], sizeBytes: 0, steps: [],
            warnings: [])
        try manifest.encoded().write(to: URL(fileURLWithPath: staging + "/manifest.json"))
        try store.commit(staging: staging, name: definition.name)
    }
}
