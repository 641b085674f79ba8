import Foundation
import Logging
import Sandbox
import Synchronization

/// Builds a `debootstrap` image (images/README.md): debootstrap into a staging directory next to
/// the image's place in the store, the definition's packages installed with apt inside it, the
/// node's files copied in, the checks run inside it with no network, a marker and a manifest
/// written, and the whole renamed into place in one step. A build that fails at any step removes
/// its staging directory and says which step failed and why; the image that was there (if any)
/// stays as it was.
public struct ImageBuilder: Sendable {
    public enum Outcome: Sendable {
        case built(ImageManifest)
        /// The image in the store was built from this very definition: nothing was done.
        case upToDate(ImageManifest)
    }

    public let store: ImageStore
    let logger: Logger
    /// Where the node's apt sources are (what `mirror: auto` means).
    let aptDirectory: String
    /// One line per step, for a person watching.
    let progress: @Sendable (String) -> Void

    /// The marker every built image carries at `/etc/crucible-image` (bound into sandboxes by the
    /// default policy): which image a program runs in, readable from inside.
    public static let markerPath = "/etc/crucible-image"

    public init(
        store: ImageStore, logger: Logger, aptDirectory: String = "/etc/apt",
        progress: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.store = store
        self.logger = logger
        self.aptDirectory = aptDirectory
        self.progress = progress
    }

    // MARK: - What is built, and whether it is current

    /// SHA-256 of the definition's canonical text with the current state of the host files it copies.
    public func definitionHash(_ definition: ImageDefinition) -> String {
        SHA256.hex(definition.canonical(fingerprint: { HostFingerprint.of($0.path) }))
    }

    /// Built, out of date, or not built; `host` for the node itself.
    public func status(_ definition: ImageDefinition) -> ImageStatus {
        var status = store.status(of: definition.name)
        if status.state == .built, status.manifest?.definitionSHA256 != definitionHash(definition) {
            status.state = .stale
        }
        return status
    }

    /// The mirrors a build uses: the definition's, or for `auto` the node's apt sources for the suite.
    public func mirrors(_ definition: ImageDefinition) -> (main: String, security: String?) {
        let entries = AptSources.read(directory: aptDirectory)
        let main =
            definition.mirror == "auto"
            ? AptSources.mirror(for: definition.suite, in: entries, fallback: AptSources.fallbackMirror)
            : definition.mirror
        let security: String?
        switch definition.securityMirror {
        case "none": security = nil
        case "auto":
            security = AptSources.mirror(
                for: definition.suite + "-security", in: entries, fallback: AptSources.fallbackSecurityMirror)
        default: security = definition.securityMirror
        }
        return (main, security)
    }

    // MARK: - Building

    /// Builds the image unless the store already holds it built from this definition (`force`
    /// rebuilds anyway). Needs root: debootstrap, chroot and mounts in a private namespace.
    public func build(_ definition: ImageDefinition, force: Bool = false) throws -> Outcome {
        let name = definition.name
        guard definition.kind == .debootstrap else {
            throw ToolchainError.invalidInput(
                field: "image", message: "\(name) is the node's own system; there is nothing to build")
        }
        guard geteuid() == 0 else {
            throw ToolchainError.imageBuild(
                image: name, step: "prepare", message: "building an image needs root (debootstrap, chroot, mounts)")
        }
        let hash = definitionHash(definition)
        let lock = try BuildLock(store: store, name: name)
        defer { lock.release() }
        if !force, let manifest = store.manifest(name), manifest.definitionSHA256 == hash,
            FileManager.default.fileExists(atPath: store.rootDirectory(name))
        {
            return .upToDate(manifest)
        }
        for abandoned in store.abandonedStaging() {
            logger.info("removing what an interrupted build left", metadata: ["path": "\(abandoned)"])
            try? ProcessRunner.run(["rm", "-rf", "--one-file-system", "--", abandoned], log: nil)
        }
        let log = try BuildLog(path: store.directory + "/.\(name).build.log", image: name)
        let staging: String
        do {
            staging = try store.makeStaging(name)
        } catch {
            throw ToolchainError.imageBuild(image: name, step: "prepare", message: "\(error)")
        }
        let build = BuildRun(
            definition: definition, hash: hash, staging: staging, mirrors: mirrors(definition),
            cache: store.directory + "/.cache", log: log, progress: progress)
        do {
            let manifest = try build.run()
            let old = try build.step("install") {
                try store.commit(staging: staging, name: name)
            }
            if let old {
                // The displaced image. A sandbox started before the swap still has it bound, and sees
                // its files vanish as they are removed: drain a node before rebuilding an image it
                // is using (images/README.md).
                try? ProcessRunner.run(["rm", "-rf", "--one-file-system", "--", old], log: nil)
            }
            var installed = manifest
            installed.steps = build.steps
            try? installed.encoded().write(to: URL(fileURLWithPath: store.manifestPath(name)))
            logger.info("image built", metadata: ["image": "\(name)", "seconds": "\(installed.buildSeconds)"])
            return .built(installed)
        } catch {
            try? ProcessRunner.run(["rm", "-rf", "--one-file-system", "--", staging], log: nil)
            if let failure = error as? ToolchainError { throw failure }
            throw ToolchainError.imageBuild(image: name, step: build.currentStep, message: "\(error)")
        }
    }
}

/// One build: the steps in order, each timed, each failure named.
private final class BuildRun {
    let definition: ImageDefinition
    let hash: String
    let staging: String
    let mirrors: (main: String, security: String?)
    /// Downloaded packages kept between builds (debootstrap's and apt's), so a rebuild downloads
    /// only what changed.
    let cache: String
    let log: BuildLog
    let progress: @Sendable (String) -> Void
    var steps: [ImageManifest.Step] = []
    var currentStep = "prepare"

    var root: String { staging + "/root" }
    static let path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    init(
        definition: ImageDefinition, hash: String, staging: String, mirrors: (main: String, security: String?),
        cache: String, log: BuildLog, progress: @escaping @Sendable (String) -> Void
    ) {
        self.definition = definition
        self.hash = hash
        self.staging = staging
        self.mirrors = mirrors
        self.cache = cache
        self.log = log
        self.progress = progress
    }

    func step<T>(_ name: String, _ body: () throws -> T) throws -> T {
        currentStep = name
        progress("\(definition.name): \(name)")
        log.write("\n==> \(name)\n")
        let start = ContinuousClock.now
        let result: T
        do {
            result = try body()
        } catch let error as ToolchainError {
            throw error
        } catch {
            throw failure("\(error)")
        }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        steps.append(ImageManifest.Step(name: name, seconds: (seconds * 10).rounded() / 10))
        return result
    }

    func failure(_ message: String) -> ToolchainError {
        .imageBuild(image: definition.name, step: currentStep, message: message)
    }

    /// Runs a command, its output into the build log; a non-zero exit is this step's failure, with
    /// the log's last lines.
    func run(_ argv: [String]) throws {
        do {
            try ProcessRunner.run(argv, log: log)
        } catch let error as ProcessRunner.Failure {
            throw failure("\(error.message)\n\(log.tail())\n(full log: \(log.path))")
        }
    }

    /// `command` inside the image: private mount and pid namespaces (nothing it mounts is seen
    /// outside or outlives it, and nothing it starts outlives it) with /proc for maintainer scripts,
    /// `binds` (host directory -> path in the image), no network unless asked for, a clean
    /// environment, and chroot.
    func inImage(_ command: [String], network: Bool, binds: [(host: String, image: String)] = []) throws {
        let script = """
            set -e
            root=$1; shift
            mount -t proc proc "$root/proc"
            while [ "$1" != "--" ]; do mount --bind "$1" "$root$2"; shift 2; done
            shift
            exec chroot "$root" /usr/bin/env -i PATH=\(Self.path) HOME=/root LANG=C.UTF-8 \
            DEBIAN_FRONTEND=noninteractive "$@"
            """
        var argv = ProcessRunner.isolated
        if !network { argv.append("--net") }
        argv += ["sh", "-c", script, "sh", root] + binds.flatMap { [$0.host, $0.image] } + ["--"] + command
        try run(argv)
    }

    func run() throws -> ImageManifest {
        try step("prepare") { try prepare() }
        try step("debootstrap") { try debootstrap() }
        try step("packages") { try installPackages() }
        let copied = try step("host files") { try copyHostFiles() }
        try step("check") { try runChecks() }
        return try step("finish") { try finish(copied: copied) }
    }

    private func prepare() throws {
        for tool in ["debootstrap", "unshare", "chroot", "dpkg-query", "cp", "du"] where ProcessRunner.find(tool) == nil
        {
            throw failure(
                "\(tool) is not installed; apt-get install -y \(tool == "debootstrap" ? "debootstrap" : "coreutils util-linux")"
            )
        }
        for copy in definition.hostCopies where !copy.optional {
            var info = stat()
            guard lstat(copy.path, &info) == 0 else {
                throw failure(
                    "\(copy.path) (copy_from_host) does not exist on this node: \(copy.why); "
                        + "run scripts/install-toolchains.sh, or mark it optional")
            }
        }
        for directory in [cache + "/debootstrap", cache + "/apt/partial"] {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        log.write("definition sha256 \(hash)\nmirror \(mirrors.main)\nsecurity \(mirrors.security ?? "none")\n")
    }

    private func debootstrap() throws {
        var argv = ProcessRunner.isolated + ["debootstrap"]
        if definition.variant != "-" { argv.append("--variant=\(definition.variant)") }
        argv += [
            "--components=\(definition.components.joined(separator: ","))", "--cache-dir=\(cache)/debootstrap",
            definition.suite, root, mirrors.main,
        ]
        try run(argv)
    }

    private func installPackages() throws {
        let components = definition.components.joined(separator: " ")
        var sources = ["deb \(mirrors.main) \(definition.suite) \(components)"]
        if definition.updates { sources.append("deb \(mirrors.main) \(definition.suite)-updates \(components)") }
        if let security = mirrors.security {
            sources.append("deb \(security) \(definition.suite)-security \(components)")
        }
        try write(sources.joined(separator: "\n") + "\n", to: "/etc/apt/sources.list")
        // Nothing installed in an image may start a service on the node.
        try write("#!/bin/sh\nexit 101\n", to: "/usr/sbin/policy-rc.d", mode: 0o755)
        let packages = definition.allPackages
        if packages.isEmpty { return }
        let script = "apt-get -q update && apt-get -q -y -o Dpkg::Use-Pty=0 install --no-install-recommends \"$@\""
        try inImage(
            ["sh", "-c", script, "sh"] + packages, network: true,
            binds: [(host: cache + "/apt", image: "/var/cache/apt/archives")])
    }

    /// Copies each host path to the same path in the image, over whatever a package put there.
    private func copyHostFiles() throws -> [String] {
        var copied: [String] = []
        for copy in definition.hostCopies {
            var info = stat()
            if lstat(copy.path, &info) != 0 {
                if copy.optional { continue }
                throw failure("\(copy.path) vanished from this node during the build")
            }
            let parent = try makeParents(of: copy.path)
            let destination = parent + "/" + (copy.path as NSString).lastPathComponent
            var existing = stat()
            if lstat(destination, &existing) == 0 { try run(["rm", "-rf", "--one-file-system", "--", destination]) }
            try run(["cp", "-a", "--", copy.path, destination])
            copied.append(copy.path)
        }
        return copied
    }

    /// Creates the image's directories leading to `path` and returns the last one's host path,
    /// never following a link out of the image (an absolute link in the image means the image's path).
    private func makeParents(of path: String) throws -> String {
        let realRoot = URL(fileURLWithPath: root).resolvingSymlinksInPath().path
        var current = realRoot
        for component in (path as NSString).deletingLastPathComponent.split(separator: "/") {
            let next = current + "/" + component
            var info = stat()
            if lstat(next, &info) != 0 {
                guard mkdir(next, 0o755) == 0 else {
                    throw failure("cannot create \(next): \(String(cString: strerror(errno)))")
                }
                current = next
            } else if (info.st_mode & S_IFMT) == S_IFLNK {
                let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: next)) ?? ""
                let resolved = target.hasPrefix("/") ? realRoot + target : current + "/" + target
                let real = URL(fileURLWithPath: resolved).standardizedFileURL.path
                var resolvedInfo = stat()
                guard real == realRoot || real.hasPrefix(realRoot + "/"), lstat(real, &resolvedInfo) == 0,
                    (resolvedInfo.st_mode & S_IFMT) == S_IFDIR
                else {
                    throw failure(
                        "the image's \(component) is a link that does not lead to a directory of the image; cannot write \(path)"
                    )
                }
                current = real
            } else if (info.st_mode & S_IFMT) == S_IFDIR {
                current = next
            } else {
                throw failure("the image's \(next.dropFirst(realRoot.count)) is not a directory; cannot copy \(path)")
            }
        }
        return current
    }

    private func runChecks() throws {
        for check in definition.checks {
            do {
                try inImage(check.run, network: false)
            } catch let error as ToolchainError {
                let why = check.why.map { " (\($0))" } ?? ""
                throw failure(
                    "the check `\(check.run.joined(separator: " "))`\(why) failed inside the image, with no network:\n\(error)"
                )
            }
        }
    }

    private func finish(copied: [String]) throws -> ImageManifest {
        // What debootstrap took from the node for the build's own sake, and apt's indexes
        // (tens of MB; the image is never updated in place: a rebuild is).
        try write("", to: "/etc/resolv.conf")
        try write("crucible\n", to: "/etc/hostname")
        try run(["sh", "-c", "rm -rf -- \"$1\"/var/lib/apt/lists/* \"$1\"/var/cache/apt/*.bin", "sh", root])
        let builtAt = ISO8601DateFormatter().string(from: Date())
        try write(
            "name=\(definition.name)\nsuite=\(definition.suite)\ndefinition_sha256=\(hash)\nbuilt_at=\(builtAt)\n",
            to: ImageBuilder.markerPath)
        let installed = try ProcessRunner.capture(
            [
                "dpkg-query", "--admindir=\(root)/var/lib/dpkg", "-W", "-f",
                "${db:Status-Abbrev} ${Package}=${Version}\n",
            ])
            .split(separator: "\n").filter { $0.hasPrefix("ii ") }.map {
                String($0.dropFirst(3)).trimmingCharacters(in: .whitespaces)
            }
            .sorted()
        let size =
            UInt64(
                (try ProcessRunner.capture(["du", "-sxB1", "--", root]).split(whereSeparator: \.isWhitespace).first)
                    .map(String.init)
                    ?? "0") ?? 0
        let manifest = ImageManifest(
            name: definition.name, kind: definition.kind.rawValue, definitionSHA256: hash, builtAt: builtAt,
            suite: definition.suite, variant: definition.variant, mirror: mirrors.main,
            toolchains: definition.packages.map(\.toolchain).filter { $0 != "base" },
            requestedPackages: definition.allPackages, installedPackages: installed, hostCopies: copied,
            sizeBytes: size, steps: steps, warnings: versionWarnings(installed: installed))
        for warning in manifest.warnings { progress("\(definition.name): warning: \(warning)") }
        try manifest.encoded().write(to: URL(fileURLWithPath: staging + "/manifest.json"))
        return manifest
    }

    /// A host copy made with a package whose version in the image differs (a cache built by another
    /// compiler is only missed, never wrong, but it no longer saves the time it is there for).
    private func versionWarnings(installed: [String]) -> [String] {
        let imageVersions = Dictionary(
            installed.map { line -> (String, String) in
                let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
                return (
                    parts[0].split(separator: ":").first.map(String.init) ?? parts[0], parts.count > 1 ? parts[1] : ""
                )
            }, uniquingKeysWith: { first, _ in first })
        var warnings: [String] = []
        for copy in definition.hostCopies {
            for package in copy.builtWith {
                let host = (try? ProcessRunner.capture(["dpkg-query", "-W", "-f", "${Version}", package])) ?? ""
                let image = imageVersions[package] ?? ""
                if host != image {
                    warnings.append(
                        "\(copy.path) was made with \(package) \(host.isEmpty ? "(not installed)" : host) on this node, "
                            + "the image has \(image.isEmpty ? "none" : image)")
                }
            }
        }
        return warnings
    }

    private func write(_ content: String, to path: String, mode: mode_t = 0o644) throws {
        let parent = try makeParents(of: path)
        let target = parent + "/" + (path as NSString).lastPathComponent
        unlink(target)  // a link there (resolv.conf often is one) must not be written through
        guard FileManager.default.createFile(atPath: target, contents: Data(content.utf8)) else {
            throw failure("cannot write \(path) in the image")
        }
        chmod(target, mode)
    }
}

/// The build log: every command and its output, kept at `<store>/.<name>.build.log`.
final class BuildLog: @unchecked Sendable {
    let path: String
    let handle: FileHandle

    init(path: String, image: String) throws {
        self.path = path
        // O_APPEND: the commands write through the same descriptor, and every line lands at the end.
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw ToolchainError.imageBuild(
                image: image, step: "prepare",
                message: "cannot create the build log \(path): \(String(cString: strerror(errno)))")
        }
        self.handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    }

    func write(_ text: String) {
        handle.write(Data(text.utf8))
    }

    /// The last lines, for an error message.
    func tail(lines: Int = 15) -> String {
        guard let data = FileManager.default.contents(atPath: path) else { return "" }
        let text = String(decoding: data.suffix(4096), as: UTF8.self)
        return text.split(separator: "\n", omittingEmptySubsequences: true).suffix(lines).map { "  | \($0)" }
            .joined(separator: "\n")
    }
}

/// One build of an image at a time: a second `crucible images build NAME` fails at once instead of
/// racing the first for the same staging and store entries.
private struct BuildLock {
    let fd: Int32

    init(store: ImageStore, name: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: store.directory, withIntermediateDirectories: true)
        } catch {
            throw ToolchainError.imageBuild(
                image: name, step: "prepare",
                message: "cannot create the image store \(store.directory): \(error.localizedDescription)")
        }
        chmod(store.directory, 0o755)
        let path = store.directory + "/.\(name).lock"
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw ToolchainError.imageBuild(
                image: name, step: "prepare", message: "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw ToolchainError.imageBuild(
                image: name, step: "prepare", message: "another build of \(name) is running (it holds \(path))")
        }
    }

    func release() {
        flock(fd, LOCK_UN)
        close(fd)
    }
}

/// The state of host files an image copies: paths, sizes, modes and times, hashed. Reading every
/// byte of a 100 MB tree for each `crucible images list` would be slow; a changed file changes its
/// size or its time.
enum HostFingerprint {
    static func of(_ path: String) -> String {
        var hash = SHA256()
        walk(path, relative: "", into: &hash)
        return hash.hexDigest()
    }

    private static func walk(_ path: String, relative: String, into hash: inout SHA256) {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            hash.update("\(relative) absent\n")
            return
        }
        hash.update("\(relative) \(info.st_mode) \(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)\n")
        switch info.st_mode & S_IFMT {
        case S_IFLNK:
            hash.update((try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "")
        case S_IFDIR:
            for entry in ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted() {
                walk(path + "/" + entry, relative: relative + "/" + entry, into: &hash)
            }
        default:
            break
        }
    }
}

/// Runs the build's commands (debootstrap, apt in a chroot, cp) with a clean environment.
public enum ProcessRunner {
    struct Failure: Error {
        let message: String
    }

    /// The build's environment: nothing of the caller's but a proxy, which a node may need to reach
    /// its mirror.
    static var environment: [String: String] {
        var environment = [
            "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8", "HOME": "/root",
            "DEBIAN_FRONTEND": "noninteractive",
        ]
        for name in ["http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY"] {
            if let value = ProcessInfo.processInfo.environment[name] { environment[name] = value }
        }
        return environment
    }

    /// The prefix of every command that touches the staging tree: its own mount namespace (what
    /// it mounts, debootstrap's /proc and /sys included, is never the node's) and its own pid
    /// namespace whose init is killed with unshare (`--kill-child`), so stopping a build stops every
    /// process of it at once and none is left writing into a directory being removed.
    static let isolated = ["unshare", "--fork", "--pid", "--kill-child", "--mount", "--propagation", "private"]

    /// The command running now, so that a stopped `crucible images build` can end it.
    private static let running = Mutex<Int32>(0)

    /// Ends the running command (and with it its pid namespace); the build then fails at that step
    /// and removes its staging directory. SIGKILL: `unshare --fork` ignores SIGTERM while it waits,
    /// and the namespace's init would ignore it too; killing unshare kills the init (`--kill-child`),
    /// and the kernel then kills everything else in the namespace.
    public static func terminateRunning() {
        running.withLock { pid in if pid > 0 { kill(pid, SIGKILL) } }
    }

    static func find(_ tool: String) -> String? {
        if tool.hasPrefix("/") { return tool }
        return ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"].map { $0 + "/" + tool }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs to the end; output into `log` (or nowhere); a non-zero exit throws.
    static func run(_ argv: [String], log: BuildLog?) throws {
        let process = try makeProcess(argv)
        let sink = log?.handle ?? FileHandle.nullDevice
        log?.write("$ \(argv.map(quoted).joined(separator: " "))\n")
        process.standardOutput = sink
        process.standardError = sink
        try process.run()
        running.withLock { $0 = process.processIdentifier }
        process.waitUntilExit()
        running.withLock { $0 = 0 }
        guard process.terminationStatus == 0, process.terminationReason == .exit else {
            throw Failure(message: "`\(summary(argv))` \(describe(process))")
        }
    }

    /// Runs to the end and returns its standard output; a non-zero exit throws.
    static func capture(_ argv: [String]) throws -> String {
        let process = try makeProcess(argv)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, process.terminationReason == .exit else {
            throw Failure(message: "`\(summary(argv))` \(describe(process))")
        }
        return String(decoding: data, as: UTF8.self)
    }

    private static func makeProcess(_ argv: [String]) throws -> Process {
        guard let first = argv.first, let executable = find(first) else {
            throw Failure(message: "\(argv.first ?? "(nothing)") is not installed")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = Array(argv.dropFirst())
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        return process
    }

    private static func describe(_ process: Process) -> String {
        process.terminationReason == .uncaughtSignal
            ? "was killed by signal \(process.terminationStatus)" : "exited \(process.terminationStatus)"
    }

    /// The command without the set-up wrapper around in-image commands, for messages.
    private static func summary(_ argv: [String]) -> String {
        if argv.first == "unshare", let separator = argv.firstIndex(of: "--") {
            return argv[(separator + 1)...].joined(separator: " ")
        }
        if argv.starts(with: isolated) { return argv.dropFirst(isolated.count).joined(separator: " ") }
        return argv.joined(separator: " ")
    }

    private static func quoted(_ word: String) -> String {
        word.contains(where: { $0.isWhitespace || $0 == "\"" }) ? "'\(word)'" : word
    }
}
