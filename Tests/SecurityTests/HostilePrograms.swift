import Foundation
import Testing

@testable import Sandbox

/// Hostile programs written the way a model would write them (shell, Python), each checked from
/// inside (what it managed) and from the host (what it left behind or changed).
@Suite(.enabled(if: Security.isRoot, "needs root to build sandboxes"))
struct HostileProgramTests {
    @Test func forkBombIsHeldByThePidsLimit() async throws {
        let result = try await Security.runHostile("bomb() { bomb | bomb & }; bomb; sleep 1; echo done")
        #expect(result.limitsHit.contains(.pids))
    }

    @Test func pythonThreadBombIsHeldByThePidsLimit() async throws {
        let result = try await Security.runHostile(
            "python3 -c 'import threading, time\nn=0\ntry:\n  while True:\n    threading.Thread(target=time.sleep, args=(30,), daemon=True).start(); n+=1\nexcept RuntimeError: print(\"stopped\", n)'"
        )
        #expect(result.limitsHit.contains(.pids))
        #expect(result.stdout.hasPrefix("stopped"))
    }

    @Test func heapBombEndsAtTheMemoryLimit() async throws {
        let result = try await Security.runHostile("python3 -c 'x = []\nwhile True: x.append(bytearray(1 << 24))'") {
            $0.limits.wallTime = 60  // a busy test machine must not turn this into a wall-time test
        }
        #expect(result.status == .memoryLimit, "\(result.jsonString())")
        #expect(result.peakMemoryBytes <= PolicyChecker.probeLimits.memory + (8 << 20))
    }

    @Test func devShmBombIsBounded() async throws {
        let result = try await Security.runHostile(
            "head -c 200m /dev/zero > /dev/shm/fill; echo $?; ls -l /dev/shm/fill"
        ) {
            $0.limits.fileSize = 1 << 30
        }
        // Either the tmpfs is full (ENOSPC) or the memory limit ends it: never 200 MiB.
        #expect(!result.stdout.contains("209715200"))
    }

    @Test func sysVSharedMemoryLeftBehindDiesWithTheSandbox() async throws {
        let result = try await Security.runHostile(
            "python3 -c 'import ctypes; libc = ctypes.CDLL(None); print(libc.shmget(0, 32 << 20, 0o1600))'")
        #expect(Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1 >= 0)
        // runHostile checked that the host's segment count did not grow.
    }

    @Test func manyProcessesBurningCPUShareOneLimit() async throws {
        let result = try await Security.runHostile("for i in 1 2 3 4 5 6; do (while :; do :; done) & done; wait") {
            $0.limits.cpuTime = 1
            $0.limits.cpuCores = 2
            $0.limits.wallTime = 60  // a busy test machine must not turn this into a wall-time test
        }
        #expect(result.status == .cpuTimeLimit)
        #expect(result.cpuTimeS < 3)
    }

    @Test func stoppingItselfDoesNotDodgeTheWallClock() async throws {
        let result = try await Security.runHostile("kill -STOP $$; echo resumed") { $0.limits.wallTime = 1 }
        #expect(result.status == .wallTimeLimit)
    }

    @Test func sleepingDoesNotDodgeTheWallClock() async throws {
        let result = try await Security.runHostile("sleep 100") { $0.limits.wallTime = 0.5 }
        #expect(result.status == .wallTimeLimit)
    }

    @Test func diskAndInodeExhaustionAreBounded() async throws {
        let result = try await Security.runHostile(
            "head -c 100m /dev/zero > big 2>/dev/null; ls -l big | cut -d' ' -f5; i=0; while touch f$i 2>/dev/null; do i=$((i+1)); done; echo $i"
        ) {
            $0.limits.fileSize = 1 << 30
            $0.limits.workSize = 8 << 20
            $0.limits.inodes = 200
            $0.limits.wallTime = 60  // a touch per file: slow on a busy machine, never endless
        }
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 2, "\(result.jsonString())")
        #expect(Int(lines.first ?? "") ?? .max <= 8 << 20)
        #expect(Int(lines.last ?? "") ?? .max < 200)
    }

    @Test func sparseFilesCannotPassTheFileSizeLimit() async throws {
        let result = try await Security.runHostile(
            "truncate -s 1T sparse; echo truncate=$?; fallocate -n -l 1G reserve; echo fallocate=$?")
        #expect(result.stdout.contains("truncate=1") || result.stdout.contains("truncate=153"))
        #expect(result.stdout.contains("fallocate=1"))
    }

    @Test func stdoutFloodIsCut() async throws {
        let result = try await Security.runHostile("cat /dev/zero")
        #expect(result.status == .outputLimit)
        #expect(UInt64(result.stdoutBytes.count) == PolicyChecker.probeLimits.output)
    }

    @Test func descriptorExhaustionStopsAtTheLimit() async throws {
        let result = try await Security.runHostile(
            "python3 -c 'import os\nfds=[]\ntry:\n  while True: fds.append(os.open(\"/dev/null\", os.O_RDONLY))\nexcept OSError as e: print(e.errno, len(fds))'"
        )
        #expect(result.stdout.hasPrefix("24 "))  // EMFILE
    }

    @Test func doubleForkedDaemonDies() async throws {
        // runHostile fails if any process of the sandbox's uid is alive on the host afterwards.
        let result = try await Security.runHostile(
            "setsid sh -c 'sleep 1000 & sleep 1000' < /dev/null > /dev/null 2>&1 & echo started")
        #expect(result.stdout == "started\n")
    }

    @Test func tiocstiIsRefused() async throws {
        let result = try await Security.runHostile(
            "python3 -c 'import fcntl, termios\ntry:\n  fcntl.ioctl(0, termios.TIOCSTI, b\"x\")\nexcept OSError as e: print(e.errno)'"
        )
        #expect(result.stdout == "1\n")  // EPERM from the filter, not ENOTTY from the terminal layer
    }

    @Test func ioUringIsRefused() async throws {
        let result = try await Security.runHostile(
            "python3 -c 'import ctypes; libc = ctypes.CDLL(None, use_errno=True); p = ctypes.create_string_buffer(120); print(libc.syscall(425, 8, p), ctypes.get_errno())'"
        )
        #expect(result.stdout == "-1 1\n")
    }

    @Test func keyctlIsRefused() async throws {
        let result = try await Security.runHostile(
            "python3 -c 'import ctypes; libc = ctypes.CDLL(None, use_errno=True); print(libc.syscall(250, 0, -2, 0), ctypes.get_errno())'"
        )
        #expect(result.stdout == "-1 1\n")
    }

    @Test func ptraceIsRefused() async throws {
        let result = try await Security.runHostile(
            "python3 -c 'import ctypes; libc = ctypes.CDLL(None, use_errno=True); print(libc.ptrace(16, 1, 0, 0), ctypes.get_errno())'"
        )
        #expect(result.stdout == "-1 1\n")
    }

    @Test func thirtyTwoBitSystemCallsKillTheProgram() async throws {
        // A tiny x86 program: mov eax, 20 (getpid); int 0x80; ret — run from executable memory.
        let script = """
            python3 -c '
            import ctypes, mmap
            code = bytes([0xb8, 0x14, 0, 0, 0, 0xcd, 0x80, 0xc3])
            page = mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
            page.write(code)
            address = ctypes.addressof(ctypes.c_char.from_buffer(page))
            print(ctypes.CFUNCTYPE(ctypes.c_long)(address)())
            '
            """
        let result = try await Security.runHostile(script)
        #expect(result.exitCode == 128 + SIGSYS || result.signal == SIGSYS)
        #expect(result.stdout.isEmpty)
    }

    @Test func hostSecretsAreNotThere() async throws {
        let secret = "/var/tmp/crucible-secret-\(UUID().uuidString)"
        try "top secret".write(toFile: secret, atomically: true, encoding: .utf8)
        defer { unlink(secret) }
        let result = try await Security.runHostile(
            "cat \(secret) /etc/shadow /root/.bash_history 2>&1; ls /home /var 2>&1; cat /proc/1/environ 2>&1 | head -c 200"
        )
        #expect(!result.stdout.contains("top secret"))
        #expect(!result.stdout.contains("root:"))
        #expect(result.stdout.contains("No such file"))
        #expect(result.stdout.contains("Permission denied"))
    }

    @Test func theEnvironmentHoldsOnlyThePolicysVariables() async throws {
        setenv("CRUCIBLE_TEST_SECRET", "hunter2", 1)
        let result = try await Security.runHostile("env; cat /proc/*/environ 2>/dev/null | tr '\\0' '\\n'")
        #expect(!result.stdout.contains("hunter2"))
        let names = Set(
            result.stdout.split(separator: "\n").compactMap { $0.split(separator: "=").first.map(String.init) })
        #expect(names.isSubset(of: ["PATH", "HOME", "LANG", "TMPDIR", "PWD", "SHLVL", "_", "OLDPWD"]), "\(names)")
    }

    @Test func writesOutsideWorkFail() async throws {
        let result = try await Security.runHostile(
            "for f in /escape /usr/escape /etc/passwd /usr/bin/sh /tmp/../usr/x /proc/sys/kernel/hostname; do (echo x > $f) 2>/dev/null && echo wrote $f; done; echo checked"
        )
        #expect(result.stdout == "checked\n")
        #expect(!FileManager.default.fileExists(atPath: "/escape"))
        #expect(!FileManager.default.fileExists(atPath: "/usr/escape"))
    }

    @Test func mknodMountAndNestedNamespacesFail() async throws {
        let result = try await Security.runHostile(
            "mknod /work/sda b 8 0 2>/dev/null && echo mknod; mount -t tmpfs none /tmp 2>/dev/null && echo mount; unshare -U true 2>/dev/null && echo unshare; unshare -rm true 2>/dev/null && echo userns; echo checked"
        )
        #expect(result.stdout == "checked\n")
    }

    @Test func setuidProgramsDoNotElevate() async throws {
        // passwd and su are setuid-root on the host; in the sandbox /usr is nosuid and no_new_privs is set.
        let result = try await Security.runHostile(
            "ls -l /usr/bin/passwd | cut -c1-10; su -c id root </dev/null 2>&1 | head -1; id -u")
        #expect(result.stdout.hasSuffix("1000\n"))
        #expect(!result.stdout.contains("uid=0"))
    }

    @Test func setuidFilesLeftInTheWorkdirAreNotRoots() async throws {
        let slot = Security.slot()
        let policy = try PolicyLoader.defaultPolicy()
        let directory = NSTemporaryDirectory() + "crucible-suid-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        chown(directory, policy.identity.hostUIDBase + UInt32(slot), policy.identity.hostGIDBase + UInt32(slot))
        _ = try await Security.runHostile(
            "cp /bin/sh rootshell; chmod 4755 rootshell; chown 0:0 rootshell", workdir: directory, slot: slot)
        var info = stat()
        #expect(stat(directory + "/rootshell", &info) == 0)
        #expect(info.st_uid != 0)
        #expect(info.st_uid == policy.identity.hostUIDBase + UInt32(slot))
    }

    @Test func procSelfMemCannotReachTheInit() async throws {
        let result = try await Security.runHostile(
            "python3 -c 'open(\"/proc/self/mem\", \"r+b\").close(); print(\"own ok\")'; cat /proc/1/mem 2>&1 | head -1; cat /proc/1/maps 2>&1 | head -1"
        )
        #expect(result.stdout.contains("own ok"))
        #expect(result.stdout.components(separatedBy: "Permission denied").count == 3)
    }

    @Test func killEverythingReachesOnlyTheSandbox() async throws {
        // A host process of the same unprivileged uid the sandbox runs as: the most kill(-1) could hope to reach.
        let slot = Security.slot()
        let policy = try PolicyLoader.defaultPolicy()
        let sentinel = Process()
        sentinel.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        let uid = policy.identity.hostUIDBase + UInt32(slot)
        sentinel.arguments = ["--reuid=\(uid)", "--regid=\(uid)", "--clear-groups", "/bin/sleep", "60"]
        try sentinel.run()
        defer { sentinel.terminate() }
        let before = HostSnapshot.take()
        var request = SandboxRequest(
            command: ["/bin/sh", "-c", "kill -9 -1; echo survived"], policy: policy, slot: slot)
        request.policy.limits.wallTime = 5
        let result = try await Security.requireRunner().run(request)
        #expect(sentinel.isRunning)
        #expect(kill(sentinel.processIdentifier, 0) == 0)
        #expect(HostSnapshot.take() == before)
        #expect(result.status != .setupError)
    }

    @Test func hostProcessesAreInvisible() async throws {
        let result = try await Security.runHostile(
            "ls /proc | grep -c '^[0-9]'; test -e /proc/\(getpid()) && echo visible; echo done")
        let count = Int(result.stdout.split(separator: "\n").first ?? "") ?? 99
        #expect(count <= 4)
        #expect(!result.stdout.contains("visible"))
    }

    @Test func hostLoopbackIsUnreachable() async throws {
        let listener = try TCPListener()
        defer { listener.close() }
        for mode in [NetworkMode.none, .loopback] {
            let result = try await Security.runHostile(
                "python3 -c 'import socket\ntry:\n  socket.create_connection((\"127.0.0.1\", \(listener.port)), timeout=2); print(\"connected\")\nexcept OSError as e: print(\"refused\", e.errno)'"
            ) { $0.network = mode }
            #expect(result.stdout.hasPrefix("refused"), "\(mode): \(result.stdout)")
        }
        #expect(listener.acceptedAny() == false)
    }

    @Test func outsideAddressesAreUnreachable() async throws {
        let result = try await Security.runHostile(
            "python3 -c 'import socket\ntry:\n  socket.create_connection((\"192.0.2.1\", 80), timeout=2); print(\"connected\")\nexcept OSError as e: print(\"refused\", e.errno)'"
        ) { $0.network = .loopback }
        #expect(result.stdout.hasPrefix("refused 101"))  // ENETUNREACH: there is no route at all
    }

    @Test func hostAbstractSocketsAreUnreachable() async throws {
        let name = "crucible-test-\(UUID().uuidString.prefix(8))"
        let listener = try AbstractSocketListener(name: name)
        defer { listener.close() }
        let result = try await Security.runHostile(
            "python3 -c 'import socket\ns = socket.socket(socket.AF_UNIX)\ntry:\n  s.connect(\"\\0\(name)\"); print(\"connected\")\nexcept OSError as e: print(\"refused\", e.errno)'"
        )
        #expect(result.stdout.hasPrefix("refused"))
        #expect(listener.acceptedAny() == false)
    }
}
