import Foundation

/// The program the spawner runs (see `Spawner`): `crucible-spawner`, the small static executable installed in
/// the same directory as this program, or, without a usable one, this program itself.
///
/// Every sandbox's init is a copy of the spawner, so its size is paid twice a sandbox: at the clone, which
/// copies its mappings and written pages, and at the init's exit, which tears them down. `crucible-spawner`
/// has a few mappings and pages; this program, exec'd afresh, has some fifty mappings and two megabytes its
/// dynamic loader wrote (about 0.4 ms more a sandbox on the reference machine).
final class SpawnerProgram: Sendable {
    /// What `csbx_spawner_start` executes: `/proc/self/fd/N` of a descriptor held open for the life of the
    /// runner, so a spawner started again after an upgrade replaced the files still speaks this process's
    /// protocol; or `/proc/self/exe`.
    let path: String
    /// The descriptor behind `path`, or -1.
    let descriptor: Int32
    /// The installed program's path, or why it is not used (for the log and `crucible agent --check`).
    let summary: String
    var isSmall: Bool { descriptor >= 0 }

    static let fileName = "crucible-spawner"

    private init(path: String, descriptor: Int32, summary: String) {
        self.path = path
        self.descriptor = descriptor
        self.summary = summary
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// The program beside this one when it passes `vet`; this program otherwise.
    static func find() -> SpawnerProgram {
        let own = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        let directory = (own as NSString).deletingLastPathComponent
        return open(directory + "/" + fileName)
    }

    /// Opens and vets the program at `path`.
    static func open(_ path: String) -> SpawnerProgram {
        let opened = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard opened >= 0 else {
            return itself(because: "\(path) cannot be opened (\(errnoText(errno))); install crucible-spawner there")
        }
        // Above 3: the spawner's start puts its socket on 3 and /dev/null on 0-2 before it executes the path.
        let fd = fcntl(opened, F_DUPFD_CLOEXEC, 10)
        close(opened)
        guard fd >= 0 else { return itself(because: "\(path) cannot be kept open (\(errnoText(errno)))") }
        if let problem = vet(descriptor: fd, directory: (path as NSString).deletingLastPathComponent) {
            close(fd)
            return itself(because: "\(path) \(problem)")
        }
        return SpawnerProgram(path: "/proc/self/fd/\(fd)", descriptor: fd, summary: path)
    }

    static func itself(because reason: String) -> SpawnerProgram {
        SpawnerProgram(path: "/proc/self/exe", descriptor: -1, summary: reason)
    }

    /// Why the opened file may not be run as root, or nil. It runs with every privilege, so it and its directory
    /// must be writable by no one but root (or this process's user), as sudo asks of its files.
    static func vet(descriptor: Int32, directory: String) -> String? {
        var file = stat()
        guard fstat(descriptor, &file) == 0 else { return "cannot be examined (\(errnoText(errno)))" }
        guard file.st_mode & S_IFMT == S_IFREG else { return "is not a regular file" }
        guard file.st_mode & 0o111 != 0 else { return "is not executable; chmod 755 it" }
        if let problem = ownership(file, what: "it") { return problem }
        var parent = stat()
        guard stat(directory, &parent) == 0 else { return "is in a directory that cannot be examined" }
        return ownership(parent, what: "its directory")
    }

    private static func ownership(_ status: stat, what: String) -> String? {
        if status.st_uid != 0 && status.st_uid != geteuid() {
            return "is not safe to run as root: \(what) is owned by uid \(status.st_uid); chown root it"
        }
        if status.st_mode & 0o022 != 0 {
            return "is not safe to run as root: \(what) is writable by group or others; chmod go-w it"
        }
        return nil
    }
}
