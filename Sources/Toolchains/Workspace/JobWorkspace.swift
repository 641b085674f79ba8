import CSandbox
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A job's workspace on the host: a size- and inode-capped tmpfs, owned by the sandbox user, bound
/// read-write at /work for every step of the job (build output must survive into the test step).
/// Disk use is capped by the tmpfs, and its pages count against the sandboxes' memory.
struct JobWorkspace {
    let directory: String
    let uid: UInt32
    let gid: UInt32

    static func create(runtimeDirectory: String, id: String, size: UInt64, inodes: Int, uid: UInt32, gid: UInt32)
        throws -> JobWorkspace
    {
        let parent = runtimeDirectory + "/work"
        let directory = parent + "/" + id
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        } catch {
            throw ToolchainError.infrastructure(
                "cannot create the workspace \(directory): \(error.localizedDescription)")
        }
        let options = "size=\(size),nr_inodes=\(inodes),mode=0755,uid=\(uid),gid=\(gid)"
        guard mount("crucible-work", directory, "tmpfs", UInt(MS_NOSUID | MS_NODEV), options) == 0 else {
            let code = errno
            rmdir(directory)
            throw ToolchainError.infrastructure(
                "cannot mount the workspace tmpfs on \(directory): \(String(cString: strerror(code)))")
        }
        return JobWorkspace(directory: directory, uid: uid, gid: gid)
    }

    // Every operation below resolves paths with csbx_open_beneath: never out of the workspace, never
    // through a symlink. Code that ran in an earlier step may have replaced any file or directory
    // with a link to a host path, and the supervisor is root.

    private func withRoot<T>(_ body: (Int32) throws -> T) throws -> T {
        let root = open(directory, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard root >= 0 else { throw ToolchainError.infrastructure("the workspace \(directory) is gone") }
        defer { close(root) }
        return try body(root)
    }

    /// The directory holding `relativePath` (created as needed), opened beneath the root.
    private func parent(of relativePath: String, root: Int32, create: Bool) throws -> Int32? {
        let components = relativePath.split(separator: "/").dropLast().map(String.init)
        var current = dup(root)
        var prefix = ""
        for component in components {
            prefix = prefix.isEmpty ? component : prefix + "/" + component
            if create {
                if mkdirat(current, component, 0o755) == 0 {
                    fchownat(current, component, uid, gid, AT_SYMLINK_NOFOLLOW)
                } else if errno != EEXIST {
                    close(current)
                    throw ToolchainError.infrastructure("cannot create \(prefix) in the workspace")
                }
            }
            let next = csbx_open_beneath(root, prefix, Int32(0o10000000) | O_DIRECTORY, 0)  // O_PATH
            close(current)
            guard next >= 0 else {
                if !create && errno == ENOENT { return nil }
                throw ToolchainError.infrastructure("\(prefix) in the workspace is not a directory (or is a link)")
            }
            current = next
        }
        return current
    }

    /// Writes a file (creating its directories), owned by the sandbox user.
    func write(_ relativePath: String, _ content: String, mode: mode_t = 0o644) throws {
        try withRoot { root in
            if let directory = try parent(of: relativePath, root: root, create: true) { close(directory) }
            let fd = csbx_open_beneath(root, relativePath, O_WRONLY | O_CREAT | O_TRUNC, UInt32(mode))
            guard fd >= 0 else {
                throw ToolchainError.infrastructure("cannot write \(relativePath) into the workspace")
            }
            defer { close(fd) }
            let bytes = Array(content.utf8)
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
                guard written > 0 else {
                    throw ToolchainError.infrastructure("cannot write \(relativePath) into the workspace")
                }
                offset += written
            }
            fchmod(fd, mode)
            fchown(fd, uid, gid)
        }
    }

    func symlink(_ relativePath: String, to target: String) throws {
        try withRoot { root in
            guard let directory = try parent(of: relativePath, root: root, create: true) else { return }
            defer { close(directory) }
            let name = (relativePath as NSString).lastPathComponent
            guard symlinkat(target, directory, name) == 0 else {
                throw ToolchainError.infrastructure("cannot link \(relativePath) -> \(target) in the workspace")
            }
            fchownat(directory, name, uid, gid, AT_SYMLINK_NOFOLLOW)
        }
    }

    func makeDirectories(_ relativePath: String) throws {
        try withRoot { root in
            if let directory = try parent(of: relativePath + "/.", root: root, create: true) { close(directory) }
        }
    }

    /// Removes a file or link (never following it), if there is one.
    func removeFile(_ relativePath: String) throws {
        try withRoot { root in
            guard let directory = try parent(of: relativePath, root: root, create: false) else { return }
            defer { close(directory) }
            let name = (relativePath as NSString).lastPathComponent
            guard unlinkat(directory, name, 0) == 0 || errno == ENOENT else {
                throw ToolchainError.infrastructure("cannot remove \(relativePath) from the workspace")
            }
        }
    }

    /// Reads a file a step left behind (a test report): a regular file inside the workspace,
    /// reached without any symlink, so a candidate cannot make crucible read a host file.
    func read(_ relativePath: String, limit: Int = 8 << 20) -> String? {
        try? withRoot { root -> String? in
            let fd = csbx_open_beneath(root, relativePath, O_RDONLY, 0)
            guard fd >= 0 else { return nil }
            defer { close(fd) }
            var info = stat()
            guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
            var bytes = [UInt8](repeating: 0, count: min(Int(info.st_size), limit))
            var total = 0
            while total < bytes.count {
                let count = bytes[total...].withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
                guard count > 0 else { break }
                total += count
            }
            return String(decoding: bytes.prefix(total), as: UTF8.self)
        } ?? nil
    }

    /// The workspace's top-level regular files, sorted.
    func topLevelFiles() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { name in
            var info = stat()
            return lstat(directory + "/" + name, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
        }.sorted()
    }

    func remove() {
        umount2(directory, Int32(MNT_DETACH))
        rmdir(directory)
    }

    /// Unmounts and removes the workspaces of crucible processes that died without cleaning up
    /// (named job-<pid>-<id>): a crash must not leave tmpfs mounts on the node.
    static func sweepStale(runtimeDirectory: String) {
        let parent = runtimeDirectory + "/work"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? [] where name.hasPrefix("job-") {
            guard let owner = name.split(separator: "-").dropFirst().first.flatMap({ Int32($0) }), owner != getpid(),
                kill(owner, 0) != 0, errno == ESRCH
            else { continue }
            JobWorkspace(directory: parent + "/" + name, uid: 0, gid: 0).remove()
        }
    }
}

/// fnmatch(3) for the toolchains' simple globs ("*.py", "src/*.rs").
func globMatches(_ pattern: String, _ path: String) -> Bool {
    fnmatch(pattern, path, FNM_PATHNAME) == 0
}
