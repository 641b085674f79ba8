import Foundation
import Logging
import Testing

@testable import Sandbox

/// How a policy's `image` becomes the sandbox's root: the name is checked, the store finds the built
/// image (or says how to build it), the mount plan takes every bind from inside the image (never
/// following a link out of it), and a sandbox really runs on the image's files.
@Suite struct ImageRootTests {
    @Test func policyNamesAnImage() throws {
        let base = try PolicyLoader.defaultPolicy()
        #expect(base.image == "host")
        #expect(try PolicyLoader.parse("image: bookworm-python\n", base: base).image == "bookworm-python")
        for bad in ["/srv/images/bookworm/root", "Bookworm", "../etc", "a b"] {
            let error = #expect(throws: SandboxError.self) {
                try PolicyLoader.parse("network: none\nimage: \(bad)\n", base: base)
            }
            guard case .invalidPolicy(let key, let line, let message) = error else {
                Issue.record("\(bad): not a policy error")
                continue
            }
            #expect(key == "image" && line == 2, "\(bad)")
            #expect(message.contains("not an image name"))
        }
    }

    @Test func anImageThatIsNotBuiltSaysHowToBuildIt() throws {
        let store = ImageStore(directory: try TestSupport.temporaryDirectory("store"))
        defer { try? FileManager.default.removeItem(atPath: store.directory) }
        #expect(try store.root(for: "host") == nil)
        let error = #expect(throws: SandboxError.self) { try store.root(for: "bookworm") }
        #expect(error?.description.contains("crucible images build bookworm") == true, "\(String(describing: error))")
        guard case .invalidPolicy(let key, _, _) = error else {
            Issue.record("a missing image is a policy error (exit 2 on the command line)")
            return
        }
        #expect(key == "image")
        #expect(store.status(of: "bookworm").state == .notBuilt)
    }

    @Test func bindsComeFromInsideTheImage() throws {
        let store = ImageStore(directory: try TestSupport.temporaryDirectory("store"))
        defer { try? FileManager.default.removeItem(atPath: store.directory) }
        let root = try FakeImage.make(in: store, name: "fake") { root in
            // A link on the way to a bind source that would lead to the node's /etc/ssl if followed on
            // the host: inside the image it leads nowhere, so the optional bind is skipped.
            try FileManager.default.createSymbolicLink(atPath: root + "/etc/ssl", withDestinationPath: "/etc/ssl")
            // A link as the last component stays a link, resolved inside the sandbox.
            try FileManager.default.createSymbolicLink(
                atPath: root + "/etc/localtime", withDestinationPath: "/usr/share/zoneinfo/UTC")
        }
        var policy = try PolicyLoader.defaultPolicy()
        policy.image = "fake"
        let probe = MountRule(
            target: "/.crucible/crucible", kind: .bind, source: "/usr/bin/env", readOnly: true, optional: false,
            size: nil,
            line: nil, fromHost: true)
        let skeleton = try RootSkeleton(
            policy: policy, imageRoot: try store.root(for: "fake"), extraMounts: [probe],
            runtimeDirectory: "/nonexistent")
        #expect(root == (try store.root(for: "fake")))
        let realRoot = URL(fileURLWithPath: root).resolvingSymlinksInPath().path
        let usr = try #require(skeleton.mounts.first { $0.target == "/usr" })
        #expect(usr.source == realRoot + "/usr")
        #expect(skeleton.entries.contains(.symlink("/bin", target: "usr/bin")))
        #expect(skeleton.entries.contains(.symlink("/etc/localtime", target: "/usr/share/zoneinfo/UTC")))
        #expect(!skeleton.mounts.contains { $0.target == "/etc/ssl/openssl.cnf" })
        for mount in skeleton.mounts where mount.kind == .bind && mount.target != "/.crucible/crucible" {
            #expect(mount.source?.hasPrefix(realRoot + "/") == true, "\(mount.target) from \(mount.source ?? "")")
        }
        // Devices and the probe program are the node's.
        #expect(skeleton.mounts.first { $0.target == "/dev/null" }?.source == "/dev/null")
        #expect(skeleton.mounts.first { $0.target == "/.crucible/crucible" }?.source == "/usr/bin/env")
        // The same policy over the node binds the node's /usr.
        var host = policy
        host.image = "host"
        let hostSkeleton = try RootSkeleton(policy: host, runtimeDirectory: "/nonexistent")
        #expect(hostSkeleton.mounts.first { $0.target == "/usr" }?.source == "/usr")
    }

    @Test func aRequiredSourceMissingFromTheImageIsNamed() throws {
        let store = ImageStore(directory: try TestSupport.temporaryDirectory("store"))
        defer { try? FileManager.default.removeItem(atPath: store.directory) }
        _ = try FakeImage.make(in: store, name: "nosbin") { root in
            try FileManager.default.removeItem(atPath: root + "/sbin")
        }
        var policy = try PolicyLoader.defaultPolicy()
        policy.image = "nosbin"
        let error = #expect(throws: SandboxError.self) {
            try RootSkeleton(policy: policy, imageRoot: try store.root(for: "nosbin"), runtimeDirectory: "/nonexistent")
        }
        #expect(
            error?.description.contains("/sbin does not exist in the image nosbin") == true,
            "\(String(describing: error))")
    }

    /// A sandbox on a tiny image made of a few of the node's programs: the image's /etc and /usr are
    /// what the program sees, not the node's. A rebuilt image replaces the old one in one step.
    @Test(.enabled(if: TestSupport.isRoot)) func aSandboxRunsOnTheImagesFiles() async throws {
        let store = ImageStore(directory: try TestSupport.temporaryDirectory("store"))
        defer { try? FileManager.default.removeItem(atPath: store.directory) }
        _ = try FakeImage.make(in: store, name: "tiny", marker: "first")
        let runner = try SandboxRunner(logger: Logger(label: "crucible.tests"), images: store)
        var policy = try PolicyLoader.defaultPolicy()
        policy.image = "tiny"
        let script = "cat /etc/debian_version; cat /etc/crucible-image; ls /usr/bin | wc -l"
        let request = SandboxRequest(command: ["/bin/sh", "-c", script], policy: policy, slot: TestSupport.freshSlot())
        let result = try await runner.run(request)
        #expect(result.status == .ok, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(
            lines == ["crucible-test-image", "name=tiny", "marker=first", "\(FakeImage.programs.count)"],
            "\(result.stdout)")

        // The node's own files, for contrast: its Debian version, no marker, thousands of programs.
        let host = try await TestSupport.run(script)
        #expect(!host.stdout.contains("crucible-test-image"))
        let hostCount = Int(host.stdout.split(separator: "\n").last ?? "") ?? 0
        #expect(hostCount > FakeImage.programs.count * 10, "\(host.stdout)")

        // Rebuilt: the new image is swapped in whole; the displaced one is handed back for removal.
        let staging = try FakeImage.fill(store: store, name: "tiny", marker: "second")
        let old = try store.commit(staging: staging, name: "tiny")
        #expect(old != nil)
        if let old { try FileManager.default.removeItem(atPath: old) }
        let again = try await runner.run(
            SandboxRequest(
                command: ["/bin/sh", "-c", "cat /etc/crucible-image"], policy: policy, slot: TestSupport.freshSlot()))
        #expect(again.stdout.contains("marker=second"), "\(again.stdout) \(again.stderr)")
        #expect(store.abandonedStaging().isEmpty)
    }
}

/// A built image in miniature: a few of the node's programs and their libraries in a merged-/usr
/// tree, with a manifest, committed to a store as `crucible images build` commits a real one.
enum FakeImage {
    static let programs = ["sh", "cat", "ls", "wc"]

    @discardableResult
    static func make(
        in store: ImageStore, name: String, marker: String = "test", adjust: (String) throws -> Void = { _ in }
    ) throws -> String {
        let staging = try fill(store: store, name: name, marker: marker, adjust: adjust)
        try store.commit(staging: staging, name: name)
        return store.rootDirectory(name)
    }

    static func fill(store: ImageStore, name: String, marker: String, adjust: (String) throws -> Void = { _ in }) throws
        -> String
    {
        let staging = try store.makeStaging(name)
        let root = staging + "/root"
        let files = FileManager.default
        for directory in ["usr/bin", "usr/sbin", "usr/lib/x86_64-linux-gnu", "usr/lib64", "etc", "usr/share/zoneinfo"] {
            try files.createDirectory(atPath: root + "/" + directory, withIntermediateDirectories: true)
        }
        for (link, target) in [("bin", "usr/bin"), ("sbin", "usr/sbin"), ("lib", "usr/lib"), ("lib64", "usr/lib64")] {
            try files.createSymbolicLink(atPath: root + "/" + link, withDestinationPath: target)
        }
        var libraries = Set<String>()
        for program in programs {
            let source = program == "sh" ? "/usr/bin/dash" : "/usr/bin/" + program
            try files.copyItem(atPath: source, toPath: root + "/usr/bin/" + program)
            libraries.formUnion(try sharedLibraries(of: source))
        }
        for library in libraries {
            let name = (library as NSString).lastPathComponent
            let target =
                name.hasPrefix("ld-linux") ? root + "/usr/lib64/" + name : root + "/usr/lib/x86_64-linux-gnu/" + name
            if !files.fileExists(atPath: target) {
                try files.copyItem(atPath: URL(fileURLWithPath: library).resolvingSymlinksInPath().path, toPath: target)
            }
        }
        try "crucible-test-image\n".write(toFile: root + "/etc/debian_version", atomically: true, encoding: .utf8)
        try "name=\(name)\nmarker=\(marker)\n".write(
            toFile: root + "/etc/crucible-image", atomically: true, encoding: .utf8)
        try adjust(root)
        let manifest = ImageManifest(
            name: name, kind: "test", definitionSHA256: String(repeating: "0", count: 64),
            builtAt: "2026-01-01T00:00:00Z",
            suite: "none", variant: "none", mirror: "none", toolchains: [], requestedPackages: [],
            installedPackages: [],
            hostCopies: programs, sizeBytes: 0, steps: [], warnings: [])
        try manifest.encoded().write(to: URL(fileURLWithPath: staging + "/manifest.json"))
        return staging
    }

    /// The libraries `ldd` names, the dynamic loader included.
    static func sharedLibraries(of program: String) throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ldd")
        process.arguments = [program]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return output.split(separator: "\n").compactMap { line in
            line.split(whereSeparator: \.isWhitespace).map(String.init).first { $0.hasPrefix("/") }
        }
    }
}
