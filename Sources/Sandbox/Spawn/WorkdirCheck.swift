#if canImport(Glibc)
    import Glibc
#endif

/// A bound workdir must be a directory the sandbox's unprivileged user can write; otherwise the
/// program would fail in confusing ways, so say so before starting.
enum WorkdirCheck {
    static func verify(_ path: String, uid: UInt32, gid: UInt32) throws {
        guard path.hasPrefix("/") else {
            throw SandboxError.invalidRequest("workdir \(path) must be an absolute path")
        }
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw SandboxError.invalidRequest("workdir \(path) does not exist; create it first (mkdir -p \(path))")
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            throw SandboxError.invalidRequest("workdir \(path) is not a directory")
        }
        let mode = info.st_mode
        let writable: Bool
        if info.st_uid == uid {
            writable = mode & S_IWUSR != 0 && mode & S_IXUSR != 0
        } else if info.st_gid == gid {
            writable = mode & S_IWGRP != 0 && mode & S_IXGRP != 0
        } else {
            writable = mode & S_IWOTH != 0 && mode & S_IXOTH != 0
        }
        guard writable else {
            throw SandboxError.invalidRequest(
                "workdir \(path) is not writable by the sandbox's user (host uid \(uid), gid \(gid)); "
                    + "run `chown \(uid):\(gid) \(path)` or `chmod o+rwx \(path)`")
        }
    }
}
