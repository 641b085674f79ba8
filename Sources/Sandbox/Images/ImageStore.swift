import CSandbox
import Foundation

/// Where built images live on a node, and how a policy's `image` becomes a root directory.
///
/// Layout (images/README.md): `<directory>/<name>/root` is the image's filesystem and
/// `<directory>/<name>/manifest.json` says how it was built. A build fills
/// `<directory>/.<name>.staging-…` and `commit` renames it into place, so an image is either there
/// whole or not at all. `host` is not stored: it is the node's own `/`.
public struct ImageStore: Sendable, Hashable {
    /// The default place for built images: state that outlives a boot, unlike the runtime directory.
    public static let defaultDirectory = "/var/lib/crucible/images"
    /// The variable that moves the store (tests, nodes with a separate data disk).
    public static let environmentVariable = "CRUCIBLE_IMAGE_STORE"
    /// The image that is the node itself.
    public static let host = "host"

    public let directory: String

    public init(directory: String) {
        self.directory = directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
    }

    /// The store named by CRUCIBLE_IMAGE_STORE, or /var/lib/crucible/images.
    public static func configured(override: String? = nil) -> ImageStore {
        if let override, !override.isEmpty { return ImageStore(directory: override) }
        if let raw = getenv(environmentVariable), raw.pointee != 0 {
            return ImageStore(directory: String(cString: raw))
        }
        return ImageStore(directory: defaultDirectory)
    }

    /// What a policy may call an image: `host`, or a lower-case name that is also a file name
    /// (`images/<name>.yaml`) and a directory name in the store.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.first, name.count <= 63, first.isASCII, first.isLetter || first.isNumber else {
            return false
        }
        return name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_") }
            && !name.contains("..")
    }

    public func imageDirectory(_ name: String) -> String { directory + "/" + name }
    public func rootDirectory(_ name: String) -> String { imageDirectory(name) + "/root" }
    public func manifestPath(_ name: String) -> String { imageDirectory(name) + "/manifest.json" }

    /// The manifest of a built image, nil when it is not built (or its manifest is unreadable,
    /// which `commit` never leaves behind).
    public func manifest(_ name: String) -> ImageManifest? {
        guard name != Self.host, Self.isValidName(name),
            let data = FileManager.default.contents(atPath: manifestPath(name))
        else { return nil }
        return try? ImageManifest.decode(data)
    }

    /// The host directory a policy's image stands for: nil for `host` (the node's own `/`), the
    /// image's root otherwise. An image that is not built is the policy's problem on this node: the
    /// error names the command that builds it.
    public func root(for image: String) throws -> String? {
        if image == Self.host { return nil }
        guard Self.isValidName(image) else {
            throw SandboxError.invalidPolicy(
                key: "image", line: nil, message: "'\(image)' is not an image name; use host or a name from images/")
        }
        var info = stat()
        guard manifest(image) != nil, stat(rootDirectory(image), &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            throw SandboxError.invalidPolicy(
                key: "image", line: nil,
                message: "the image '\(image)' is not built on this node (nothing at \(imageDirectory(image))); "
                    + "build it with `crucible images build \(image)`, or use image: host")
        }
        return rootDirectory(image)
    }

    /// A fresh, empty directory next to the image's final place (same filesystem, so `commit` is a
    /// rename), with an empty `root/` inside. The caller fills it and writes `manifest.json`.
    public func makeStaging(_ name: String) throws -> String {
        guard name != Self.host, Self.isValidName(name) else {
            throw SandboxError.invalidRequest("'\(name)' is not a name an image can be stored under")
        }
        let staging = directory + "/.\(name).staging-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            chmod(directory, 0o755)
            try FileManager.default.createDirectory(atPath: staging + "/root", withIntermediateDirectories: true)
        } catch {
            throw SandboxError.invalidRequest(
                "cannot create \(staging): \(error.localizedDescription); the image store must be writable (run as root)"
            )
        }
        chmod(staging, 0o755)
        chmod(staging + "/root", 0o755)
        return staging
    }

    /// Puts a filled staging directory in the image's place in one step: a rename when there is no
    /// image yet, an atomic exchange when there is one (sandboxes that start from then on see only
    /// the new image). Returns the displaced old image's directory, now at the staging path, for the
    /// caller to remove; nil when there was none.
    @discardableResult
    public func commit(staging: String, name: String) throws -> String? {
        guard FileManager.default.fileExists(atPath: staging + "/manifest.json"),
            FileManager.default.fileExists(atPath: staging + "/root")
        else {
            throw SandboxError.invalidRequest("\(staging) is not a finished image (no manifest.json or root/)")
        }
        let target = imageDirectory(name)
        if rename(staging, target) == 0 { return nil }
        let renameError = errno
        guard renameError == EEXIST || renameError == ENOTEMPTY else {
            throw SandboxError.invalidRequest("cannot move \(staging) to \(target): \(errnoText(renameError))")
        }
        guard csbx_rename_exchange(staging, target) == 0 else {
            throw SandboxError.invalidRequest("cannot swap \(staging) with \(target): \(errnoText(errno))")
        }
        return staging
    }

    /// Staging and displaced directories in the store (`.<name>.staging-<pid>-…`) whose builder is no
    /// longer running: what a build killed half-way left. The caller removes them.
    public func abandonedStaging() -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return entries.sorted().compactMap { entry -> String? in
            guard entry.hasPrefix("."), let range = entry.range(of: ".staging-") else { return nil }
            let pidText = entry[range.upperBound...].split(separator: "-").first.map(String.init) ?? ""
            guard let pid = Int32(pidText) else { return nil }
            if pid != getpid(), kill(pid, 0) == 0 || errno == EPERM { return nil }
            return directory + "/" + entry
        }
    }
}

/// `manifest.json` of a built image: what it is, where it came from, what is in it.
public struct ImageManifest: Codable, Sendable, Equatable {
    public var name: String
    /// How it was made: `debootstrap`.
    public var kind: String
    /// SHA-256 of the definition as built (with the fingerprints of the host files it copies): a
    /// different value means the image is out of date.
    public var definitionSHA256: String
    /// ISO 8601, UTC.
    public var builtAt: String
    public var suite: String
    public var variant: String
    public var mirror: String
    /// The toolchains (languages) whose packages the definition lists.
    public var toolchains: [String]
    /// The packages the definition asked for.
    public var requestedPackages: [String]
    /// Every installed package as `name=version`, sorted.
    public var installedPackages: [String]
    /// Host paths copied into the image.
    public var hostCopies: [String]
    /// Bytes on disk of `root/` (apparent sizes, hard links once).
    public var sizeBytes: UInt64
    /// Seconds per build step, in order.
    public var steps: [Step]
    /// Things the build noticed that an operator should know (a copied cache built for another
    /// package version, say).
    public var warnings: [String]

    public struct Step: Codable, Sendable, Equatable {
        public var name: String
        public var seconds: Double

        public init(name: String, seconds: Double) {
            self.name = name
            self.seconds = seconds
        }
    }

    enum CodingKeys: String, CodingKey {
        case name, kind, suite, variant, mirror, toolchains, steps, warnings
        case definitionSHA256 = "definition_sha256"
        case builtAt = "built_at"
        case requestedPackages = "requested_packages"
        case installedPackages = "installed_packages"
        case hostCopies = "host_copies"
        case sizeBytes = "size_bytes"
    }

    public init(
        name: String, kind: String, definitionSHA256: String, builtAt: String, suite: String, variant: String,
        mirror: String, toolchains: [String], requestedPackages: [String], installedPackages: [String],
        hostCopies: [String], sizeBytes: UInt64, steps: [Step], warnings: [String]
    ) {
        self.name = name
        self.kind = kind
        self.definitionSHA256 = definitionSHA256
        self.builtAt = builtAt
        self.suite = suite
        self.variant = variant
        self.mirror = mirror
        self.toolchains = toolchains
        self.requestedPackages = requestedPackages
        self.installedPackages = installedPackages
        self.hostCopies = hostCopies
        self.sizeBytes = sizeBytes
        self.steps = steps
        self.warnings = warnings
    }

    public static func decode(_ data: Data) throws -> ImageManifest {
        try JSONDecoder().decode(ImageManifest.self, from: data)
    }

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// Seconds the whole build took.
    public var buildSeconds: Double { steps.reduce(0) { $0 + $1.seconds } }
}

/// What a node has of an image, for `crucible policy show` and `crucible images list`.
public struct ImageStatus: Sendable, Equatable {
    public enum State: String, Sendable {
        /// The node's own system.
        case host
        case built
        /// Built, but from an older definition (or older host files): `crucible images build` redoes it.
        case stale
        case notBuilt = "not_built"
    }

    public var name: String
    public var state: State
    /// The directory the sandbox's binds come from: `/` for host.
    public var root: String?
    public var manifest: ImageManifest?

    public init(name: String, state: State, root: String?, manifest: ImageManifest?) {
        self.name = name
        self.state = state
        self.root = root
        self.manifest = manifest
    }

    /// One line for people.
    public var summary: String {
        switch state {
        case .host:
            return "the node's own system, read-only"
        case .built, .stale:
            let built = manifest.map {
                "built \($0.builtAt), \($0.suite) \($0.variant), \($0.installedPackages.count) packages"
            }
            let stale = state == .stale ? "; OUT OF DATE: `crucible images build \(name)` rebuilds it" : ""
            return "\(built ?? "built") at \(root ?? "?")\(stale)"
        case .notBuilt:
            return "NOT BUILT on this node: run `crucible images build \(name)`"
        }
    }

    public var json: [String: Any] {
        var object: [String: Any] = ["name": name, "state": state.rawValue]
        if let root { object["root"] = root }
        if let manifest {
            object["built_at"] = manifest.builtAt
            object["definition_sha256"] = manifest.definitionSHA256
            object["size_bytes"] = manifest.sizeBytes
        }
        return object
    }
}

extension ImageStore {
    /// Built or not, as the store alone can tell (whether it is stale needs its definition).
    public func status(of name: String) -> ImageStatus {
        if name == Self.host { return ImageStatus(name: name, state: .host, root: "/", manifest: nil) }
        guard let manifest = manifest(name), FileManager.default.fileExists(atPath: rootDirectory(name)) else {
            return ImageStatus(name: name, state: .notBuilt, root: nil, manifest: nil)
        }
        return ImageStatus(name: name, state: .built, root: rootDirectory(name), manifest: manifest)
    }
}
