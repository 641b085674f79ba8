import Foundation
import Logging
import Testing

@testable import Sandbox

/// Real sandboxes: namespaces, cgroups, seccomp. Needs root, as the agent does.
@Suite(.enabled(if: TestSupport.isRoot, "needs root to build sandboxes"))
struct SandboxRunnerTests {
    @Test func runsAProgramAndReportsIt() async throws {
        let result = try await TestSupport.run("echo hello; echo oops >&2")
        #expect(result.status == .ok)
        #expect(result.exitCode == 0)
        #expect(result.signal == nil)
        #expect(result.stdout == "hello\n")
        #expect(result.stderr == "oops\n")
        #expect(result.limitsHit.isEmpty)
        #expect(result.wallTimeS > 0 && result.wallTimeS < 5)
        #expect(result.peakMemoryBytes > 0)
    }

    @Test func reportsExitCodes() async throws {
        let result = try await TestSupport.run("exit 3")
        #expect(result.status == .exited)
        #expect(result.exitCode == 3)
    }

    @Test func aSegfaultIsSignal11() async throws {
        // The workload is not pid 1, so a signal it sends itself is delivered.
        let result = try await TestSupport.run("kill -SEGV $$")
        #expect(result.status == .signaled)
        #expect(result.signal == 11)
        #expect(result.exitCode == nil)
    }

    @Test func runsAsTheUnprivilegedUserInItsOwnNamespaces() async throws {
        let result = try await TestSupport.run(
            "id -u; id -g; hostname; pwd; cat /proc/self/status | grep -E '^(CapEff|NoNewPrivs|Seccomp):'; ls /proc | grep -c '^[0-9]'"
        )
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.prefix(4) == ["1000", "1000", "crucible", "/work"])
        #expect(lines.contains { $0.hasPrefix("CapEff:") && $0.hasSuffix("0000000000000000") })
        #expect(lines.contains { $0.hasPrefix("NoNewPrivs:") && $0.hasSuffix("1") })
        #expect(lines.contains { $0.hasPrefix("Seccomp:") && $0.hasSuffix("2") })
    }

    @Test func feedsStandardInput() async throws {
        let result = try await TestSupport.run("tr a-z A-Z", stdin: .bytes(Array("shout\n".utf8)))
        #expect(result.stdout == "SHOUT\n")
    }

    @Test func bindsAWorkdirThatTheSandboxUserOwns() async throws {
        let slot = TestSupport.freshSlot()
        let directory = try TestSupport.temporaryDirectory("workdir")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let policy = try TestSupport.defaultPolicy()
        let uid = policy.identity.hostUIDBase + UInt32(slot)
        let gid = policy.identity.hostGIDBase + UInt32(slot)
        #expect(chown(directory, uid, gid) == 0)
        try "input\n".write(toFile: directory + "/in.txt", atomically: true, encoding: .utf8)
        let result = try await TestSupport.run(
            "cat in.txt > out.txt; chmod u+s out.txt; ls", slot: slot, workdir: directory)
        #expect(result.status == .ok)
        var info = stat()
        #expect(stat(directory + "/out.txt", &info) == 0)
        // What the program leaves behind belongs to its unprivileged host uid, never to root.
        #expect(info.st_uid == uid)
        #expect(try String(contentsOfFile: directory + "/out.txt", encoding: .utf8) == "input\n")
    }

    @Test func refusesAWorkdirTheSandboxUserCannotWrite() async throws {
        let directory = try TestSupport.temporaryDirectory("readonly")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        chmod(directory, 0o755)
        await #expect {
            try await TestSupport.run("true", workdir: directory)
        } throws: { error in
            "\(error)".contains("not writable by the sandbox's user")
        }
    }

    @Test func aMissingCommandIsASetupErrorNamingTheStep() async throws {
        var policy = try TestSupport.defaultPolicy()
        policy.limits.wallTime = 5
        let request = SandboxRequest(command: ["no-such-program"], policy: policy, slot: TestSupport.freshSlot())
        await #expect {
            try await TestSupport.requireRunner().run(request)
        } throws: { error in
            guard case SandboxError.setupFailed(let step, let code, let detail) = error else { return false }
            return step == "execve" && code == ENOENT && detail.contains("no-such-program")
        }
    }

    @Test func aFailureWhileTheChildIsBeingMovedIntoItsCgroupsNamesTheChildsStep() async throws {
        // More open files than the kernel allows (fs.nr_open): setrlimit fails in the child after its first
        // go-ahead, while the parent may still be moving it into its cgroups. Repeated, so both orders occur:
        // the report always names the child's step, never the move's.
        for _ in 0..<20 {
            var policy = try TestSupport.defaultPolicy()
            policy.limits.openFiles = 1 << 30
            let request = SandboxRequest(command: ["/bin/true"], policy: policy, slot: TestSupport.freshSlot())
            await #expect {
                try await TestSupport.requireRunner().run(request)
            } throws: { error in
                guard case SandboxError.setupFailed(let step, let code, _) = error else { return false }
                return step == "setrlimit" && code == EPERM
            }
        }
    }

    @Test func enforcesWallTime() async throws {
        let result = try await TestSupport.run("sleep 30") { $0.limits.wallTime = 0.5 }
        #expect(result.status == .wallTimeLimit)
        #expect(result.limitsHit.contains(.wallTime))
        #expect(result.wallTimeS < 3)
    }

    @Test func enforcesCPUTimeSummedOverProcesses() async throws {
        // Two busy processes: CPU time is counted for the whole sandbox, not per process.
        let result = try await TestSupport.run("(while :; do :; done) & while :; do :; done") {
            $0.limits.cpuTime = 0.6
            $0.limits.cpuCores = 2
        }
        #expect(result.status == .cpuTimeLimit)
        #expect(result.limitsHit.contains(.cpuTime))
        #expect(result.cpuTimeS >= 0.6 && result.cpuTimeS < 2.5)
    }

    @Test func aCgroupThatServedAnEarlierSandboxReportsOnlyTheNextOnesUsage() async throws {
        // Limits no other test asks for, so that these sandboxes hand their cgroups (on v1, all but memory's)
        // to one another; the counters are read through descriptors kept open with them.
        let adjust: (inout SandboxPolicy) -> Void = {
            $0.limits.pids = 23
            $0.limits.cpuWeight = 77
        }
        for round in 1...3 {
            let busy = try await TestSupport.run(
                "i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done; head -c 20m /dev/zero > /tmp/fill", adjust: adjust)
            let forks = try await TestSupport.run(
                "for i in $(seq 40); do sleep 0.3 & done 2>/dev/null; wait", adjust: adjust)
            let idle = try await TestSupport.run("true", adjust: adjust)
            #expect(busy.cpuTimeS > 0.05, "round \(round)")
            #expect(busy.peakMemoryBytes > 20 << 20, "round \(round)")
            #expect(forks.limitsHit.contains(.pids), "round \(round)")
            #expect(idle.cpuTimeS < 0.05, "round \(round): \(idle.cpuTimeS) s")
            #expect(idle.peakMemoryBytes < 10 << 20, "round \(round)")
            #expect(idle.limitsHit.isEmpty, "round \(round): \(idle.limitsHit)")
        }
    }

    @Test func enforcesMemoryWithTheOOMCounters() async throws {
        let result = try await TestSupport.run("head -c 200m /dev/zero | tail > /dev/null") {
            $0.limits.memory = 32 << 20
        }
        #expect(result.status == .memoryLimit || result.limitsHit.contains(.memory))
        #expect(result.limitsHit.contains(.memory))
        #expect(result.peakMemoryBytes <= 40 << 20)
    }

    @Test func tmpfsPagesCountAsMemory() async throws {
        // The OOM killer ends the writer (or the shell); either way the file never reaches 100 MiB.
        let result = try await TestSupport.run("head -c 100m /dev/zero > /tmp/fill; stat -c %s /tmp/fill") {
            $0.limits.memory = 48 << 20
            $0.limits.tmpSize = 512 << 20
            $0.limits.fileSize = 512 << 20
        }
        #expect(result.limitsHit.contains(.memory))
        #expect(!result.stdout.contains("104857600"))
    }

    @Test func pidsLimitIsReportedButDoesNotEndTheRun() async throws {
        let script = """
            python3 -c '
            import os, time
            started = 0
            for _ in range(8):
                try:
                    if os.fork() == 0:
                        time.sleep(5)
                        os._exit(0)
                    started += 1
                except OSError:
                    pass
            print("after", started)
            '
            """
        let result = try await TestSupport.run(script) {
            $0.limits.pids = 4
            $0.limits.wallTime = 10
        }
        #expect(result.limitsHit.contains(.pids))
        #expect(result.stdout.contains("after"))
    }

    @Test func stopsAFloodAtTheOutputLimit() async throws {
        let result = try await TestSupport.run("yes") { $0.limits.output = 64 << 10 }
        #expect(result.status == .outputLimit)
        #expect(result.stdoutTruncated)
        #expect(result.stdout.utf8.count == 64 << 10)
        #expect(result.limitsHit.contains(.output))
    }

    @Test func fileSizeLimitKillsWithSIGXFSZ() async throws {
        let result = try await TestSupport.run("head -c 5m /dev/zero > big") { $0.limits.fileSize = 1 << 20 }
        #expect(result.limitsHit.contains(.fileSize))
        #expect(result.signal == SIGXFSZ || result.exitCode != 0)
    }

    @Test func loopbackModeHasItsOwnLoopbackOnly() async throws {
        let up = try await TestSupport.run(
            "cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d ' '; cat /sys/class/net/lo/operstate 2>/dev/null; ip -o link 2>/dev/null | grep -c UP || true"
        ) {
            $0.network = .loopback
        }
        #expect(up.stdout.split(separator: "\n").first == "lo")
        let python = try await TestSupport.run(
            "python3 -c 'import socket; s=socket.socket(); s.bind((\"127.0.0.1\", 0)); s.listen(); c=socket.create_connection(s.getsockname()); print(\"ok\")'"
        ) { $0.network = .loopback }
        #expect(python.stdout == "ok\n")
        // network none: even the sandbox's own loopback is down.
        let none = try await TestSupport.run(
            "python3 -c 'import socket; s=socket.socket(); s.bind((\"127.0.0.1\", 0)); s.listen()\ntry:\n  socket.create_connection(s.getsockname(), timeout=1); print(\"connected\")\nexcept OSError as e: print(\"refused\", e.errno)'"
        )
        #expect(none.stdout == "refused 101\n")
    }

    /// Programs start with every signal at its default and none blocked, whatever crucible's own threads
    /// block or ignore: a test's alarm must go off.
    @Test func programsStartWithDefaultSignals() async throws {
        let status = try await TestSupport.run("grep -E 'Sig(Blk|Ign)' /proc/self/status")
        #expect(status.stdout == "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n", "\(status.stdout)")
        let alarm = try await TestSupport.run("python3 -c 'import signal, time; signal.alarm(1); time.sleep(20)'")
        // The shell running it reports the signal as 128 + SIGALRM.
        #expect(alarm.signal == SIGALRM || alarm.exitCode == 128 + SIGALRM, "\(alarm)")
    }

    /// A runner of its own, `sleep seconds` started in it, and the moment it runs: the spawner's child (the init)
    /// has a child of its own (the workload). A fixed pause was not enough on a starved machine: the spawner,
    /// still starting, had cloned nothing yet.
    static func sleeping(_ seconds: Int) async throws -> (
        runner: SandboxRunner, outcome: Task<SandboxResult, any Error>, spawner: pid_t, initPID: pid_t
    ) {
        let runner = try SandboxRunner(logger: Logger(label: "crucible.tests.spawner"))
        var policy = try TestSupport.defaultPolicy()
        policy.limits.wallTime = 60
        let request = SandboxRequest(
            command: ["/bin/sleep", "\(seconds)"], policy: policy, workdir: nil, stdin: .none,
            slot: TestSupport.freshSlot())
        let outcome = Task { try await runner.run(request) }
        for _ in 0..<6000 {
            if let spawner = runner.spawner.processID,
                let initPID = children(of: spawner).first(where: { !children(of: $0).isEmpty })
            {
                return (runner, outcome, spawner, initPID)
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        outcome.cancel()
        throw TestFailure("the sandbox's program did not start within 60 s")
    }

    /// The spawner dies while a program runs: that sandbox is reported as our failure, not as the program
    /// killed, and the next sandbox gets a new spawner.
    @Test func aSandboxWhoseSpawnerDiesIsOurFailureAndTheNextOneWorks() async throws {
        let (runner, outcome, spawner, _) = try await Self.sleeping(30)
        // Timed from the kill: on a loaded machine the spawner's own start can take seconds.
        let killed = ContinuousClock.now
        kill(spawner, SIGKILL)
        let result = await outcome.result
        #expect(ContinuousClock.now - killed < .seconds(15), "the sandbox died with its spawner")
        switch result {
        case .success(let report): Issue.record("reported as the program's own end: \(report)")
        case .failure(let error): #expect("\(error)".contains("spawner"), "\(error)")
        }
        let next = try await runner.run(
            SandboxRequest(
                command: ["/bin/echo", "again"], policy: try TestSupport.defaultPolicy(), workdir: nil, stdin: .none,
                slot: TestSupport.freshSlot()))
        #expect(next.stdout == "again\n")
        #expect(runner.spawner.processID != spawner, "a new spawner")
    }

    /// Only the spawner that made an init reaps it: a later one may have a child of that pid by now, and would
    /// wait for it (here: the current spawner is asked about its own running init, as if by an older one).
    @Test func anInitIsReapedOnlyByTheSpawnerThatMadeIt() async throws {
        // Long enough to be seen running on a loaded machine; ended by the test once the reap was asked for.
        let (runner, outcome, _, initPID) = try await Self.sleeping(30)
        let asked = ContinuousClock.now
        // Generations count from 1: no spawner ever had 0.
        #expect(!runner.spawner.reap(initPID, spawnedBy: 0))
        #expect(ContinuousClock.now - asked < .seconds(1), "answered at once, without asking the spawner")
        for workload in Self.children(of: initPID) { kill(workload, SIGKILL) }
        let result = try await outcome.value
        #expect(result.signal == SIGKILL, "the program ended as killed, reaped by its own spawner: \(result)")
    }

    /// Cancelling the task that runs a sandbox kills the sandbox (a revoked job gives its slot back at once):
    /// the run throws `CancellationError` instead of reporting the kill as the program's end, and the init is
    /// gone. Without the kill the run would report `sleep 30` ending on its own.
    @Test func aCancelledRunKillsItsSandboxAndThrows() async throws {
        let (runner, outcome, spawner, initPID) = try await Self.sleeping(30)
        let cancelled = ContinuousClock.now
        outcome.cancel()
        let result = await outcome.result
        // Not a speed check: a run that was not killed ends with its program, 30 s later.
        #expect(ContinuousClock.now - cancelled < .seconds(15), "the sandbox was killed, not run to its end")
        switch result {
        case .success(let report): Issue.record("the program ran to its end: \(report)")
        case .failure(let error): #expect(error is CancellationError, "\(error)")
        }
        #expect(!Self.children(of: spawner).contains(initPID), "the init was killed and reaped")
        // The runner goes on building sandboxes.
        let next = try await runner.run(
            SandboxRequest(
                command: ["/bin/echo", "after"], policy: try TestSupport.defaultPolicy(), workdir: nil, stdin: .none,
                slot: TestSupport.freshSlot()))
        #expect(next.stdout == "after\n")
    }

    /// A run whose task is already cancelled does not run its program.
    @Test func aRunCancelledBeforeItStartsDoesNotRunItsProgram() async throws {
        let runner = try TestSupport.requireRunner()
        let request = SandboxRequest(
            command: ["/bin/sh", "-c", "echo ran"], policy: try TestSupport.defaultPolicy(), workdir: nil,
            stdin: .none, slot: TestSupport.freshSlot())
        let outcome = Task { () async throws -> SandboxResult in
            withUnsafeCurrentTask { $0?.cancel() }
            return try await runner.run(request)
        }
        await #expect(throws: CancellationError.self) { try await outcome.value }
    }

    /// The processes whose parent is `parent`, from `/proc/*/stat`.
    static func children(of parent: pid_t) -> [pid_t] {
        let pids = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { pid_t($0) }
        return pids.filter { pid in
            let stat = readWholeFile("/proc/\(pid)/stat") ?? ""
            let fields = stat.split(separator: ")").last?.split(separator: " ") ?? []
            return fields.count > 1 && pid_t(fields[1]) == parent
        }
    }

    @Test func leavesNoCgroupBehind() async throws {
        let runner = try TestSupport.requireRunner()
        _ = try await TestSupport.run("true")
        let mine = try FileManager.default.contentsOfDirectory(atPath: runner.cgroups.location)
            .filter { $0.hasPrefix("crucible-\(getpid())-") }
        // Other tests' sandboxes may be running right now (the security suite starts dozens at once); none
        // may be left once all have ended, which the leak test checks. Here: the directory can be listed.
        #expect(mine.count < 200)
    }
}
