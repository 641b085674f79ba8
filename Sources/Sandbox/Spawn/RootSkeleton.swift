import CSandbox
import Foundation

/// The sandbox's root before anything is mounted on it: mount points, the policy's files, and the
/// symlinks of a merged-/usr system, on the host, owned by root and never written to by a sandbox.
///
/// Building it once per policy (and not in each child) keeps the child's work to a few mount calls;
/// each sandbox then binds it privately, mounts onto it, pivots into it, and makes it read-only.
public struct RootSkeleton: Sendable {
    public enum Entry: Sendable, Equatable {
        case directory(String)
        case emptyFile(String)
        case symlink(String, target: String)
        case file(String, content: String)
    }

    /// One mount the child performs, with its source resolved on the host.
    public struct PlannedMount: Sendable, Equatable {
        public var kind: MountKind
        public var target: String
        public var source: String?
        public var readOnly: Bool
        public var recursive: Bool
        public var size: UInt64?
    }

    public let entries: [Entry]
    public let mounts: [PlannedMount]
    /// The host directory holding the skeleton, once built.
    public let directory: String

    /// Plans the skeleton for a policy: each bind's source is looked at on the image (a symlink
    /// becomes the same symlink, a file an empty file to bind onto, a directory a mount point).
    ///
    /// `imageRoot` is the built image's root directory (`ImageStore.root(for:)`), nil for `host`:
    /// the policy's bind sources are then paths inside the image, looked up as if it were `/`, so
    /// the same policy (the same /usr, /bin, /etc entries) describes either. Devices and mounts
    /// marked `fromHost` always come from the node.
    public init(
        policy: SandboxPolicy, imageRoot: String? = nil, extraMounts: [MountRule] = [], runtimeDirectory: String
    ) throws {
        let image = try imageRoot.map { try ImageRootResolver(root: $0) }
        var entries: [Entry] = []
        var mounts: [PlannedMount] = []
        var directories = Set<String>()

        func addParents(of path: String) {
            var parents: [String] = []
            var current = (path as NSString).deletingLastPathComponent
            while current != "/" && !current.isEmpty && !directories.contains(current) {
                parents.append(current)
                current = (current as NSString).deletingLastPathComponent
            }
            for parent in parents.reversed() {
                directories.insert(parent)
                entries.append(.directory(parent))
            }
        }
        func addDirectory(_ path: String) {
            addParents(of: path)
            if directories.insert(path).inserted { entries.append(.directory(path)) }
        }

        for (index, rule) in (policy.mounts + extraMounts).enumerated() {
            let place = "mounts[\(index)]"
            switch rule.kind {
            case .bind, .device:
                let wanted = rule.source ?? rule.target
                let fromImage = image != nil && rule.kind == .bind && !rule.fromHost
                let resolved = fromImage ? image?.hostPath(of: wanted) : wanted
                var info = stat()
                guard let source = resolved, lstat(source, &info) == 0 else {
                    if rule.optional { continue }
                    let missing =
                        fromImage
                        ? "the source \(wanted) does not exist in the image \(policy.image); add its package to "
                            + "images/\(policy.image).yaml and rebuild, or mark the mount optional"
                        : "the source \(wanted) does not exist on this node; install it or mark the mount optional"
                    throw SandboxError.invalidPolicy(key: place, line: rule.line, message: missing)
                }
                if (info.st_mode & S_IFMT) == S_IFLNK, rule.kind == .bind {
                    let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: source)) ?? ""
                    addParents(of: rule.target)
                    entries.append(.symlink(rule.target, target: target))
                    continue
                }
                if (info.st_mode & S_IFMT) == S_IFDIR {
                    addDirectory(rule.target)
                } else {
                    addParents(of: rule.target)
                    entries.append(.emptyFile(rule.target))
                }
                mounts.append(
                    PlannedMount(
                        kind: rule.kind, target: rule.target, source: source,
                        readOnly: rule.kind == .bind && rule.readOnly,
                        recursive: rule.kind == .bind, size: nil))
            case .workdir, .tmpfs, .proc:
                addDirectory(rule.target)
                let size = rule.size ?? (rule.target == "/dev/shm" ? policy.limits.shmSize : policy.limits.tmpSize)
                mounts.append(
                    PlannedMount(
                        kind: rule.kind, target: rule.target, source: nil, readOnly: false, recursive: false,
                        size: rule.kind == .tmpfs ? size : nil))
            }
        }
        // /dev's usual links, so that programs that write to /dev/stdout work.
        if directories.contains("/dev") {
            for (name, target) in [
                ("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
                ("stderr", "/proc/self/fd/2"),
            ] {
                entries.append(.symlink("/dev/" + name, target: target))
            }
        }
        for file in policy.files {
            addParents(of: file.path)
            entries.append(.file(file.path, content: file.content))
        }
        self.entries = entries
        self.mounts = mounts
        self.directory = runtimeDirectory + "/roots/" + Self.fingerprint(entries)
    }

    /// Creates the skeleton on disk unless an identical one is there already. Safe to race: each
    /// builder fills a private directory and renames it into place.
    public func build() throws {
        let fileManager = FileManager.default
        if fileManager.fileExists(atPath: directory + "/.complete") { return }
        let parent = (directory as NSString).deletingLastPathComponent
        do {
            try fileManager.createDirectory(atPath: parent, withIntermediateDirectories: true)
            chmod(parent, 0o755)
            chmod((parent as NSString).deletingLastPathComponent, 0o755)
            let staging = parent + "/.staging-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
            try fileManager.createDirectory(atPath: staging, withIntermediateDirectories: false)
            chmod(staging, 0o755)
            for entry in entries {
                switch entry {
                case .directory(let path):
                    try fileManager.createDirectory(atPath: staging + path, withIntermediateDirectories: true)
                    chmod(staging + path, 0o755)
                case .emptyFile(let path):
                    guard fileManager.createFile(atPath: staging + path, contents: nil) else {
                        throw SandboxError.invalidRequest("cannot create \(staging + path)")
                    }
                    chmod(staging + path, 0o644)
                case .symlink(let path, let target):
                    try fileManager.createSymbolicLink(atPath: staging + path, withDestinationPath: target)
                case .file(let path, let content):
                    guard fileManager.createFile(atPath: staging + path, contents: Data(content.utf8)) else {
                        throw SandboxError.invalidRequest("cannot write \(staging + path)")
                    }
                    chmod(staging + path, 0o644)
                }
            }
            guard fileManager.createFile(atPath: staging + "/.complete", contents: nil) else {
                throw SandboxError.invalidRequest("cannot write \(staging)/.complete")
            }
            if rename(staging, directory) != 0 {
                // Someone else built the same skeleton first: theirs is as good as ours.
                try? fileManager.removeItem(atPath: staging)
                guard fileManager.fileExists(atPath: directory + "/.complete") else {
                    throw SandboxError.invalidRequest("cannot move the root skeleton into \(directory)")
                }
            }
        } catch let error as SandboxError {
            throw error
        } catch {
            throw SandboxError.unavailable(
                "cannot build the root skeleton under \(parent): \(error.localizedDescription); "
                    + "crucible needs a writable runtime directory (run as root)")
        }
    }

    /// FNV-1a of the entries: the same skeleton gets the same directory.
    static func fingerprint(_ entries: [Entry]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in String(describing: entries).utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}

/// Finds where a path of a built image is on the host, resolving every directory on the way inside
/// the image (openat2 RESOLVE_IN_ROOT): an image's `/etc -> /elsewhere` or `../../..` can never make a
/// bind reach the node's own files. The last component is not followed: a symlink there becomes the
/// same symlink in the sandbox's root, resolved inside the sandbox.
struct ImageRootResolver {
    let root: String
    private let realRoot: String

    init(root: String) throws {
        self.root = root
        let fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else {
            throw SandboxError.invalidPolicy(
                key: "image", line: nil, message: "cannot open the image's root \(root): \(errnoText(errno))")
        }
        defer { close(fd) }
        realRoot = Self.pathOf(fd) ?? root
    }

    /// The host path of `path` (absolute, inside the image), or nil when a directory on the way does
    /// not exist in the image.
    func hostPath(of path: String) -> String? {
        let parent = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        guard !name.isEmpty, name != "/" else { return realRoot }
        let rootFD = open(realRoot, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard rootFD >= 0 else { return nil }
        defer { close(rootFD) }
        let relative = parent == "/" ? "." : String(parent.drop(while: { $0 == "/" }))
        let fd = csbx_open_in_root(rootFD, relative, O_RDONLY | O_DIRECTORY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        // RESOLVE_IN_ROOT keeps the walk inside; checking the result again costs nothing.
        guard let directory = Self.pathOf(fd), directory == realRoot || directory.hasPrefix(realRoot + "/") else {
            return nil
        }
        return (directory == "/" ? "" : directory) + "/" + name
    }

    private static func pathOf(_ fd: Int32) -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fd)")
    }
}
