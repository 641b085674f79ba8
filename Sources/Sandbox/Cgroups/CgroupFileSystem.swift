#if canImport(Glibc)
    import Glibc
#endif

/// The file operations cgroup drivers use. The kernel's cgroupfs in production; tests drive the
/// v2 driver against a fake tree that behaves the same way (see Tests/SandboxTests).
public protocol CgroupFileSystem: Sendable {
    /// Creates a directory; returns 0 or an errno (EEXIST included).
    func makeDirectory(_ path: String) -> Int32
    /// Removes a directory; returns 0 or an errno.
    func removeDirectory(_ path: String) -> Int32
    /// Writes the whole text in one write(2), as cgroupfs requires.
    func write(_ path: String, _ text: String) throws
    func read(_ path: String) throws -> String
    func exists(_ path: String) -> Bool
    func listDirectory(_ path: String) -> [String]
    /// Opens a directory for CLONE_INTO_CGROUP; returns the descriptor or -1.
    func openDirectory(_ path: String) -> Int32
    /// Opens a file to write to later (a v1 `tasks` file); returns the descriptor or -1.
    func openForWriting(_ path: String) -> Int32
    /// Opens a file to read again and again (a v1 counter); returns the descriptor or -1.
    func openForReading(_ path: String) -> Int32
    /// The whole text of a file opened with `openForReading`, read from its start; nil (and errno) on failure.
    func read(descriptor: Int32) -> String?
}

extension CgroupFileSystem {
    public func openForWriting(_ path: String) -> Int32 {
        open(path, O_WRONLY | O_CLOEXEC)
    }

    public func openForReading(_ path: String) -> Int32 {
        open(path, O_RDONLY | O_CLOEXEC)
    }

    public func read(descriptor: Int32) -> String? {
        readWholeFile(descriptor: descriptor)
    }
}

public struct RealCgroupFileSystem: CgroupFileSystem {
    public init() {}

    public func makeDirectory(_ path: String) -> Int32 {
        mkdir(path, 0o755) == 0 ? 0 : errno
    }

    public func removeDirectory(_ path: String) -> Int32 {
        rmdir(path) == 0 ? 0 : errno
    }

    public func write(_ path: String, _ text: String) throws {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SandboxError.cgroup(path: path, errno: errno, doing: "opening to write '\(text)'") }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else {
            throw SandboxError.cgroup(path: path, errno: errno, doing: "writing '\(text)'")
        }
    }

    public func read(_ path: String) throws -> String {
        guard let text = readWholeFile(path) else {
            throw SandboxError.cgroup(path: path, errno: errno, doing: "reading")
        }
        return text
    }

    public func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    public func listDirectory(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    public func openDirectory(_ path: String) -> Int32 {
        open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    }
}

/// Sandbox cgroups are named "crucible-<owner pid>-<n>": a later crucible can tell which ones a
/// crashed process left behind.
enum CgroupNaming {
    static let prefix = "crucible-"

    static func isStale(_ name: String) -> Bool {
        guard name.hasPrefix(prefix) else { return false }
        let parts = name.dropFirst(prefix.count).split(separator: "-")
        guard let owner = parts.first.flatMap({ Int32($0) }) else { return false }
        if owner == getpid() { return false }
        return kill(owner, 0) != 0 && errno == ESRCH
    }
}
