import CSandbox
import Foundation

/// The hostile programs `crucible policy check` runs inside sandboxes, and the verdict each should get.
///
/// A probe is crucible itself (`crucible probe NAME`), bound read-only into the sandbox. It tries one
/// thing a hostile program would try and prints one line, `probe: <what happened>`. The supervisor
/// then judges the probe's line together with the sandbox's report (a fork bomb is contained when the
/// pids limit was hit, a memory bomb when the memory limit ended it, …).
public struct HostileProbe: Sendable {
    public enum Expectation: Sendable, Equatable {
        /// The probe reports that every attempt was refused by the kernel.
        case refused
        /// The sandbox ends with this status.
        case status(SandboxResult.Status)
        /// The probe is killed by this signal (seccomp kills a non-native system call with SIGSYS).
        case killedBy(Int32)
        /// The probe's own observations must all hold ("no host process is visible", …).
        case observed
        /// The run completes and the named limit shows in limits_hit.
        case limitHit(SandboxResult.Limit)
    }

    public let name: String
    /// What the probe tries, for the report.
    public let attempt: String
    public let expectation: Expectation
    /// A wall-time limit of its own: longer for the CPU burner, which must reach its CPU limit first however busy
    /// the node is; shorter for the stopped probe, which only the wall clock can end.
    public var wallTime: Double? = nil
    /// Runs inside the sandbox; returns the line to print and whether the probe saw containment.
    let body: @Sendable () -> (contained: Bool, detail: String)

    init(
        name: String, attempt: String, expectation: Expectation, wallTime: Double? = nil,
        body: @escaping @Sendable () -> (contained: Bool, detail: String)
    ) {
        self.name = name
        self.attempt = attempt
        self.expectation = expectation
        self.wallTime = wallTime
        self.body = body
    }

    public var expected: String {
        switch expectation {
        case .refused: return "refused"
        case .status(let status): return status.rawValue
        case .killedBy(let signal): return "killed by \(signalName(signal))"
        case .observed: return "not visible"
        case .limitHit(let limit): return "\(limit.rawValue) limit hit"
        }
    }
}

func signalName(_ signal: Int32) -> String {
    let names: [Int32: String] = [
        SIGKILL: "SIGKILL", SIGSYS: "SIGSYS", SIGSEGV: "SIGSEGV", SIGXFSZ: "SIGXFSZ", SIGXCPU: "SIGXCPU",
        SIGTERM: "SIGTERM", SIGABRT: "SIGABRT", SIGSTOP: "SIGSTOP",
    ]
    return names[signal] ?? "signal \(signal)"
}

/// A system call by name, as a hostile program would make it; returns the result or -errno.
private func rawCall(_ name: String, _ args: Int...) -> Int {
    guard let number = SeccompCompiler.syscallNumber(name), number >= 0 else { return -Int(ENOSYS) }
    var a = args + Array(repeating: 0, count: max(0, 6 - args.count))
    a = Array(a.prefix(6))
    return csbx_probe_syscall(Int(number), a[0], a[1], a[2], a[3], a[4], a[5])
}

/// Refused means the call failed; success would be an escape.
private func refusal(_ what: String, _ result: Int) -> (Bool, String) {
    result < 0 ? (true, "\(what) refused (\(errnoName(Int32(-result))))") : (false, "\(what) succeeded (\(result))")
}

private func refusals(_ attempts: [(String, Int)]) -> (Bool, String) {
    let outcomes = attempts.map { refusal($0.0, $0.1) }
    return (outcomes.allSatisfy(\.0), outcomes.map(\.1).joined(separator: "; "))
}

private func openResult(_ path: String, _ flags: Int32, _ mode: mode_t = 0o644) -> Int {
    let fd = open(path, flags, mode)
    if fd >= 0 {
        close(fd)
        return Int(fd)
    }
    return -Int(errno)
}

extension HostileProbe {
    /// Every probe, in report order.
    public static let all: [HostileProbe] = syscallProbes + filesystemProbes + visibilityProbes + resourceProbes

    public static func named(_ name: String) -> HostileProbe? {
        all.first { $0.name == name }
    }

    static let syscallProbes: [HostileProbe] = [
        HostileProbe(name: "io-uring", attempt: "io_uring_setup", expectation: .refused) {
            var params = [UInt8](repeating: 0, count: 120)
            let result = params.withUnsafeMutableBytes { rawCall("io_uring_setup", 8, Int(bitPattern: $0.baseAddress)) }
            return refusal("io_uring_setup", result)
        },
        HostileProbe(name: "keyring", attempt: "add_key, keyctl, request_key", expectation: .refused) {
            refusals([
                (
                    "add_key",
                    "user".withCString { type in
                        "k".withCString { rawCall("add_key", Int(bitPattern: type), Int(bitPattern: $0), 0, 0, -2) }
                    }
                ),
                ("keyctl", rawCall("keyctl", 0, -2, 0)),
                (
                    "request_key",
                    "user".withCString { type in
                        "k".withCString { rawCall("request_key", Int(bitPattern: type), Int(bitPattern: $0), 0, 0) }
                    }
                ),
            ])
        },
        HostileProbe(name: "ptrace", attempt: "ptrace the sandbox's init and itself", expectation: .refused) {
            refusals([("ptrace(ATTACH, 1)", rawCall("ptrace", 16, 1)), ("ptrace(TRACEME)", rawCall("ptrace", 0))])
        },
        HostileProbe(name: "process-vm", attempt: "process_vm_readv/writev on pid 1", expectation: .refused) {
            var byte: UInt8 = 0
            var local = iovec(iov_base: nil, iov_len: 1)
            var remote = iovec(iov_base: UnsafeMutableRawPointer(bitPattern: 0x400000), iov_len: 1)
            let result = withUnsafeMutablePointer(to: &byte) { pointer -> Int in
                local.iov_base = UnsafeMutableRawPointer(pointer)
                return withUnsafeMutablePointer(to: &local) { localPointer in
                    withUnsafeMutablePointer(to: &remote) { remotePointer in
                        rawCall(
                            "process_vm_readv", 1, Int(bitPattern: localPointer), 1, Int(bitPattern: remotePointer), 1,
                            0)
                    }
                }
            }
            return refusal("process_vm_readv", result)
        },
        HostileProbe(name: "mount", attempt: "mount, umount, pivot_root, chroot", expectation: .refused) {
            refusals([
                (
                    "mount tmpfs",
                    "none".withCString { src in
                        "/tmp".withCString { dst in
                            "tmpfs".withCString {
                                rawCall("mount", Int(bitPattern: src), Int(bitPattern: dst), Int(bitPattern: $0), 0, 0)
                            }
                        }
                    }
                ),
                ("umount2 /proc", "/proc".withCString { rawCall("umount2", Int(bitPattern: $0), 2) }),
                (
                    "pivot_root",
                    "/tmp".withCString { new in
                        "/tmp".withCString { rawCall("pivot_root", Int(bitPattern: new), Int(bitPattern: $0)) }
                    }
                ),
                ("chroot", "/tmp".withCString { rawCall("chroot", Int(bitPattern: $0)) }),
            ])
        },
        HostileProbe(
            name: "nested-namespaces", attempt: "unshare and clone with new user/mount/net namespaces, setns",
            expectation: .refused
        ) {
            refusals([
                ("unshare(CLONE_NEWUSER)", rawCall("unshare", 0x1000_0000)),
                ("unshare(CLONE_NEWNS)", rawCall("unshare", 0x0002_0000)),
                ("clone(CLONE_NEWUSER)", rawCall("clone", 0x1000_0000 | Int(SIGCHLD))),
                ("clone(CLONE_NEWNET)", rawCall("clone", 0x4000_0000 | Int(SIGCHLD))),
                ("setns", rawCall("setns", 0, 0)),
            ])
        },
        HostileProbe(
            name: "kernel-interfaces",
            attempt: "bpf, perf_event_open, userfaultfd, kexec_load, init_module, open_by_handle_at",
            expectation: .refused
        ) {
            refusals([
                ("bpf", rawCall("bpf", 0, 0, 0)), ("perf_event_open", rawCall("perf_event_open", 0, 0, -1, -1, 0)),
                ("userfaultfd", rawCall("userfaultfd", 0)), ("kexec_load", rawCall("kexec_load", 0, 0, 0, 0)),
                ("init_module", rawCall("init_module", 0, 0, 0)), ("finit_module", rawCall("finit_module", 0, 0, 0)),
                ("open_by_handle_at", rawCall("open_by_handle_at", 0, 0, 0)),
            ])
        },
        HostileProbe(
            name: "tiocsti", attempt: "TIOCSTI and TIOCLINUX ioctls (also with garbage in the high bits)",
            expectation: .refused
        ) {
            var character: UInt8 = 0x61
            let tiocsti = withUnsafeMutablePointer(to: &character) { rawCall("ioctl", 0, 0x5412, Int(bitPattern: $0)) }
            let high = withUnsafeMutablePointer(to: &character) {
                rawCall("ioctl", 0, 0x1_0000_5412, Int(bitPattern: $0))
            }
            let linux = withUnsafeMutablePointer(to: &character) { rawCall("ioctl", 0, 0x541c, Int(bitPattern: $0)) }
            let results = [("TIOCSTI", tiocsti), ("TIOCSTI|1<<32", high), ("TIOCLINUX", linux)]
            // ENOTTY would mean the call reached the terminal layer: the filter must stop it first.
            let filtered = results.allSatisfy { $0.1 == -Int(EPERM) }
            return (
                filtered,
                results.map { "\($0.0): \($0.1 < 0 ? errnoName(Int32(-$0.1)) : "succeeded")" }.joined(separator: "; ")
            )
        },
        HostileProbe(name: "int80", attempt: "a 32-bit system call through int 0x80", expectation: .killedBy(SIGSYS)) {
            let result = csbx_probe_int80_getpid()
            return (false, "int 0x80 returned \(result)")
        },
        HostileProbe(name: "x32", attempt: "an x32 ABI system call", expectation: .killedBy(SIGSYS)) {
            let result = csbx_probe_x32_getpid()
            return (false, "x32 getpid returned \(result)")
        },
        HostileProbe(
            name: "fallocate-keep-size", attempt: "reserve 1 GiB past the end of a file", expectation: .refused
        ) {
            let fd = open("/work/reserve", O_CREAT | O_WRONLY, 0o644)
            defer { if fd >= 0 { close(fd) } }
            return refusal("fallocate(KEEP_SIZE)", rawCall("fallocate", Int(fd), 1, 0, 1 << 30))
        },
    ]

    static let filesystemProbes: [HostileProbe] = [
        HostileProbe(
            name: "host-secrets", attempt: "read /etc/shadow, /root, ssh keys, the host's /etc", expectation: .refused
        ) {
            refusals(
                [
                    "/etc/shadow", "/root/.ssh/id_rsa", "/etc/ssh/ssh_host_ed25519_key", "/home", "/var/lib",
                    "/etc/sudoers",
                ].map {
                    ("open \($0)", openResult($0, O_RDONLY))
                })
        },
        HostileProbe(
            name: "init-environment", attempt: "read /proc/1/environ, /proc/1/mem, /proc/1/root", expectation: .refused
        ) {
            let environ = openResult("/proc/1/environ", O_RDONLY)
            let mem = openResult("/proc/1/mem", O_RDWR)
            let root = openResult("/proc/1/root/etc", O_RDONLY)
            return refusals([("/proc/1/environ", environ), ("/proc/1/mem", mem), ("/proc/1/root", root)])
        },
        HostileProbe(
            name: "write-outside-work", attempt: "create files in /, /usr, /etc, /bin, /proc/sys", expectation: .refused
        ) {
            refusals(
                ["/escape", "/usr/escape", "/etc/escape", "/usr/bin/escape", "/proc/sys/kernel/hostname"].map {
                    ("write \($0)", openResult($0, O_CREAT | O_WRONLY | O_TRUNC))
                })
        },
        HostileProbe(
            name: "mknod", attempt: "create a device node for the disk and for /dev/mem", expectation: .refused
        ) {
            refusals([
                ("mknod sda", Int(mknod("/work/sda", S_IFBLK | 0o666, dev_t(8 << 8)) == 0 ? 0 : -errno)),
                ("mknod mem", Int(mknod("/tmp/mem", S_IFCHR | 0o666, dev_t(1 << 8 | 1)) == 0 ? 0 : -errno)),
            ])
        },
        HostileProbe(name: "setuid-file", attempt: "make a setuid-root file", expectation: .observed) {
            let path = "/work/suid"
            let fd = open(path, O_CREAT | O_WRONLY, 0o755)
            guard fd >= 0 else { return (true, "cannot create \(path) (\(errnoName(errno)))") }
            close(fd)
            _ = chmod(path, 0o4755)
            let chown = Glibc.chown(path, 0, 0) == 0 ? "chown to root succeeded" : "chown to root refused"
            var info = stat()
            _ = stat(path, &info)
            let owned = info.st_uid == getuid()
            return (owned && chown.hasSuffix("refused"), "owner uid \(info.st_uid) (mine \(getuid())); \(chown)")
        },
        HostileProbe(
            name: "proc-self-mem", attempt: "write its own /proc/self/mem, then the init's", expectation: .observed
        ) {
            let own = openResult("/proc/self/mem", O_RDWR)
            let initMem = openResult("/proc/1/mem", O_RDWR)
            return (
                initMem < 0,
                "own: \(own >= 0 ? "opened (harmless)" : errnoName(Int32(-own))); init: \(initMem >= 0 ? "opened" : errnoName(Int32(-initMem)))"
            )
        },
    ]

    static let visibilityProbes: [HostileProbe] = [
        HostileProbe(name: "host-processes", attempt: "list processes", expectation: .observed) {
            let pids = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { Int($0) }
            // Only the init and this probe exist in the sandbox's pid namespace.
            return (pids.count <= 3 && pids.contains(1), "sees pids \(pids.sorted())")
        },
        HostileProbe(name: "environment", attempt: "read its environment for host variables", expectation: .observed) {
            let names = ProcessInfo.processInfo.environment.keys.sorted()
            let allowed: Set<String> = ["PATH", "HOME", "LANG", "TMPDIR", "LC_ALL", "TERM", "USER", "PWD", "SHLVL"]
            let leaked = names.filter { !allowed.contains($0) }
            return (
                leaked.isEmpty,
                leaked.isEmpty
                    ? "only \(names.joined(separator: ", "))" : "unexpected: \(leaked.joined(separator: ", "))"
            )
        },
        HostileProbe(
            name: "capabilities", attempt: "read its capabilities, no_new_privs and seccomp mode",
            expectation: .observed
        ) {
            let status = readWholeFile("/proc/self/status") ?? ""
            let lines = status.split(separator: "\n").filter {
                $0.hasPrefix("Cap") || $0.hasPrefix("NoNewPrivs") || $0.hasPrefix("Seccomp:")
            }
            let capsZero = lines.filter { $0.hasPrefix("Cap") }.allSatisfy { $0.hasSuffix("0000000000000000") }
            let nnp = lines.contains { $0.hasPrefix("NoNewPrivs") && $0.hasSuffix("1") }
            let seccomp = lines.contains { $0.hasPrefix("Seccomp:") && $0.hasSuffix("2") }
            return (
                capsZero && nnp && seccomp,
                lines.map { $0.replacingOccurrences(of: "\t", with: " ") }.joined(separator: ", ")
            )
        },
        HostileProbe(
            name: "host-network", attempt: "connect to the host's loopback, an outside address, and list interfaces",
            expectation: .observed
        ) {
            func connectTo(_ address: String, _ port: UInt16) -> Int32 {
                let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                guard fd >= 0 else { return errno }
                defer { close(fd) }
                var sa = sockaddr_in()
                sa.sin_family = sa_family_t(AF_INET)
                sa.sin_port = port.bigEndian
                inet_pton(AF_INET, address, &sa.sin_addr)
                let rc = withUnsafePointer(to: &sa) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
                return rc == 0 ? 0 : errno
            }
            // 192.0.2.1 is TEST-NET-1: never routed anywhere, and here there is no route at all.
            let loopback = connectTo("127.0.0.1", 22)
            let outside = connectTo("192.0.2.1", 80)
            let interfaces = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/net/dev_snmp6")) ?? [])
            let netDev = readWholeFile("/proc/self/net/dev") ?? ""
            let names = netDev.split(separator: "\n").dropFirst(2).compactMap {
                $0.split(separator: ":").first?.trimmingCharacters(in: .whitespaces)
            }
            let contained = loopback != 0 && outside != 0 && names.allSatisfy { $0 == "lo" }
            _ = interfaces
            return (
                contained,
                "127.0.0.1:22 \(loopback == 0 ? "connected" : errnoName(loopback)); 192.0.2.1:80 \(outside == 0 ? "connected" : errnoName(outside)); interfaces: \(names.joined(separator: ","))"
            )
        },
        HostileProbe(
            name: "abstract-socket", attempt: "connect to the host's abstract unix sockets (systemd, dbus, X11)",
            expectation: .observed
        ) {
            var reached: [String] = []
            for name in [
                "/org/freedesktop/systemd1/notify", "/tmp/dbus-crucible", "/tmp/.X11-unix/X0", "crucible-test-abstract",
            ] {
                let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
                guard fd >= 0 else { continue }
                var address = sockaddr_un()
                address.sun_family = sa_family_t(AF_UNIX)
                let bytes = Array(name.utf8)
                withUnsafeMutableBytes(of: &address.sun_path) { buffer in
                    buffer[0] = 0  // abstract: a leading NUL byte
                    for (index, byte) in bytes.prefix(buffer.count - 1).enumerated() { buffer[index + 1] = byte }
                }
                let length = socklen_t(MemoryLayout<sa_family_t>.size + 1 + bytes.count)
                let rc = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, length) }
                }
                if rc == 0 { reached.append(name) }
                close(fd)
            }
            return (
                reached.isEmpty,
                reached.isEmpty
                    ? "no abstract socket of the host is reachable" : "reached \(reached.joined(separator: ", "))"
            )
        },
        HostileProbe(
            name: "kill-everything", attempt: "kill -9 -1 (every process it can signal)", expectation: .observed
        ) {
            let result = kill(-1, SIGKILL)
            // Only processes in the sandbox's pid namespace can be reached; the test suite checks the host.
            return (
                true,
                "kill(-1, SIGKILL) \(result == 0 ? "delivered inside the sandbox only" : "refused (\(errnoName(errno)))")"
            )
        },
    ]

    static let resourceProbes: [HostileProbe] = [
        HostileProbe(name: "fork-bomb", attempt: "fork until it fails", expectation: .limitHit(.pids)) {
            var children = 0
            var failure: Int32 = 0
            while children < 100_000 {
                let pid = fork()
                if pid == 0 {
                    pause()
                    _exit(0)
                }
                if pid < 0 {
                    failure = errno
                    break
                }
                children += 1
            }
            return (failure == EAGAIN, "fork failed after \(children) children with \(errnoName(failure))")
        },
        HostileProbe(name: "thread-bomb", attempt: "start threads until it fails", expectation: .limitHit(.pids)) {
            var threads = 0
            var failure: Int32 = 0
            while threads < 100_000 {
                var thread = pthread_t()
                var attributes = pthread_attr_t()
                pthread_attr_init(&attributes)
                pthread_attr_setstacksize(&attributes, 64 * 1024)
                let rc = pthread_create(
                    &thread, &attributes,
                    { _ in
                        pause()
                        return nil
                    }, nil)
                pthread_attr_destroy(&attributes)
                if rc != 0 {
                    failure = rc
                    break
                }
                threads += 1
            }
            return (failure == EAGAIN, "pthread_create failed after \(threads) threads with \(errnoName(failure))")
        },
        HostileProbe(
            name: "memory-bomb", attempt: "allocate and touch memory without end", expectation: .status(.memoryLimit)
        ) {
            var blocks: [UnsafeMutableRawPointer] = []
            while true {
                guard let block = malloc(16 << 20) else {
                    return (true, "malloc failed after \(blocks.count * 16) MiB")
                }
                memset(block, 1, 16 << 20)
                blocks.append(block)
            }
        },
        HostileProbe(name: "tmpfs-bomb", attempt: "fill /tmp and /dev/shm", expectation: .observed) {
            func fill(_ path: String) -> String {
                let fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0o644)
                guard fd >= 0 else { return "\(path): \(errnoName(errno))" }
                defer { close(fd) }
                let chunk = [UInt8](repeating: 7, count: 1 << 20)
                var written = 0
                while true {
                    let n = chunk.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                    if n <= 0 { return "\(path): stopped at \(written >> 20) MiB with \(errnoName(errno))" }
                    written += n
                }
            }
            signal(SIGXFSZ, SIG_IGN)  // see the file size limit as EFBIG, not as death by SIGXFSZ
            let tmp = fill("/tmp/fill")
            let shm = fill("/dev/shm/fill")
            return (tmp.contains("ENOSPC") || tmp.contains("EFBIG"), "\(tmp); \(shm)")
        },
        HostileProbe(
            name: "disk-bomb", attempt: "fill /work with one file, then with many small files", expectation: .observed
        ) {
            let fd = open("/work/big", O_CREAT | O_WRONLY | O_TRUNC, 0o644)
            var written = 0
            var stopped: Int32 = 0
            signal(SIGXFSZ, SIG_IGN)
            if fd >= 0 {
                let chunk = [UInt8](repeating: 7, count: 1 << 20)
                while true {
                    let n = chunk.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                    if n <= 0 {
                        stopped = errno
                        break
                    }
                    written += n
                }
                close(fd)
                unlink("/work/big")
            }
            var files = 0
            var inodeError: Int32 = 0
            _ = mkdir("/work/many", 0o755)
            while files < 10_000_000 {
                let file = open("/work/many/\(files)", O_CREAT | O_WRONLY, 0o644)
                if file < 0 {
                    inodeError = errno
                    break
                }
                close(file)
                files += 1
            }
            let bounded = (stopped == EFBIG || stopped == ENOSPC) && (inodeError == ENOSPC || inodeError == EDQUOT)
            return (
                bounded,
                "one file stopped at \(written >> 20) MiB (\(errnoName(stopped))); \(files) files then \(errnoName(inodeError))"
            )
        },
        HostileProbe(
            name: "sparse-file", attempt: "grow a file to 1 TiB with ftruncate and pwrite far out",
            expectation: .refused
        ) {
            signal(SIGXFSZ, SIG_IGN)
            let fd = open("/work/sparse", O_CREAT | O_WRONLY, 0o644)
            defer { if fd >= 0 { close(fd) } }
            let truncated = ftruncate(fd, 1 << 40) == 0 ? 0 : -Int(errno)
            var byte: UInt8 = 1
            let far = pwrite(fd, &byte, 1, 1 << 40) >= 0 ? 0 : -Int(errno)
            return refusals([("ftruncate 1 TiB", truncated), ("pwrite at 1 TiB", far)])
        },
        HostileProbe(name: "stdout-flood", attempt: "write to stdout without end", expectation: .status(.outputLimit)) {
            let line = [UInt8](repeating: 0x41, count: 65536)
            while true { _ = line.withUnsafeBytes { write(1, $0.baseAddress, $0.count) } }
        },
        HostileProbe(name: "descriptor-exhaustion", attempt: "open descriptors until it fails", expectation: .refused) {
            var count = 0
            var failure: Int32 = 0
            while count < 10_000_000 {
                if open("/dev/null", O_RDONLY) < 0 {
                    failure = errno
                    break
                }
                count += 1
            }
            return (failure == EMFILE, "open failed after \(count) descriptors with \(errnoName(failure))")
        },
        HostileProbe(
            name: "cpu-burn", attempt: "burn CPU in many processes at once", expectation: .status(.cpuTimeLimit),
            wallTime: 60
        ) {
            for _ in 0..<8 where fork() == 0 { break }
            var x: UInt64 = 1
            while true { x = x &* 6_364_136_223_846_793_005 &+ 1 }
        },
        HostileProbe(
            name: "sigstop", attempt: "stop itself to dodge the CPU limit", expectation: .status(.wallTimeLimit),
            wallTime: 2
        ) {
            raise(SIGSTOP)
            return (false, "was resumed")
        },
        HostileProbe(name: "daemon", attempt: "double-fork a setsid daemon and exit", expectation: .observed) {
            if fork() == 0 {
                setsid()
                if fork() == 0 {
                    while true { sleep(1000) }
                }
                _exit(0)
            }
            // The supervisor kills the whole cgroup when the program ends; the test suite checks the host.
            return (true, "left a daemon behind for the supervisor to kill")
        },
        HostileProbe(
            name: "sysv-shm", attempt: "leave a 32 MiB System V shared memory segment behind", expectation: .observed
        ) {
            let id = shmget(IPC_PRIVATE, 32 << 20, IPC_CREAT | 0o600)
            // The ipc namespace dies with the sandbox and takes the segment with it; the suite checks the host.
            return (
                true,
                id >= 0
                    ? "created segment \(id) in the sandbox's own ipc namespace"
                    : "shmget refused (\(errnoName(errno)))"
            )
        },
    ]

    /// Runs a probe inside the sandbox and prints its line; the exit status says whether it saw containment.
    public static func runInside(_ name: String) -> Int32 {
        guard let probe = named(name) else {
            print("probe: unknown probe \(name)")
            return 2
        }
        let (contained, detail) = probe.body()
        // write(2), not print: a probe that forked must not flush a shared stdio buffer twice.
        let line = Array("probe: \(detail)\n".utf8)
        _ = line.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
        return contained ? 0 : 1
    }
}
