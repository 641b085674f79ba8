import CSandbox
import Foundation
import Logging
import Metrics
import Synchronization

/// Runs programs in sandboxes. One runner serves a whole process: it owns the cgroup driver, and
/// caches each policy's compiled seccomp program and root skeleton.
public final class SandboxRunner: Sendable {
    public let cgroups: any CgroupDriver
    public let runtimeDirectory: String
    /// Where the built images a policy may name are.
    public let images: ImageStore
    let logger: Logger
    let networks = NetworkNamespacePool()
    let spawner: Spawner
    let cgroupPool: CgroupPool
    private let prepared = Mutex(PreparedPolicies())
    /// Building a sandbox takes milliseconds; one that takes this long is stuck and is killed.
    static let setupTimeoutMilliseconds: Int32 = 10_000

    /// Checks that this node can build sandboxes and removes what a crashed crucible left behind.
    public convenience init(
        logger: Logger, runtimeDirectory: String = "/run/crucible", images: ImageStore = .configured()
    ) throws {
        try self.init(logger: logger, runtimeDirectory: runtimeDirectory, images: images, spawnerProgram: .find())
    }

    init(logger: Logger, runtimeDirectory: String, images: ImageStore, spawnerProgram: SpawnerProgram) throws {
        guard geteuid() == 0 else {
            throw SandboxError.unavailable(
                "crucible must run as root to build sandboxes (it drops to an unprivileged uid per sandbox)")
        }
        self.logger = logger
        self.runtimeDirectory = runtimeDirectory
        self.images = images
        self.cgroups = try CgroupDetector.driver()
        self.spawner = Spawner(logger: logger, program: spawnerProgram)
        self.cgroupPool = CgroupPool(driver: cgroups)
        cgroups.sweepStale()
        logger.debug(
            "sandbox runner ready", metadata: ["cgroup": "\(cgroups.version.rawValue)", "at": "\(cgroups.location)"])
    }

    /// Which program sandboxes are cloned from, for operators (`crucible agent --check`).
    public var spawnerDescription: String {
        let program = spawner.program
        return program.isSmall
            ? "cloned from \(program.summary)"
            : "cloned from crucible itself, about 0.4 ms slower each, as \(program.summary)"
    }

    deinit {
        // The pools' threads would otherwise keep their spares (cgroups, namespaces) for the life of the process.
        cgroupPool.stop()
        networks.stop()
    }

    /// The compiled seccomp program and the built root skeleton for a policy.
    /// Cached for the life of the runner: the image's layout (which sources exist, which are links) is
    /// read once per policy. A policy naming an image that is not built fails here, before anything
    /// is spawned, with the command that builds it.
    public func prepare(_ policy: SandboxPolicy, extraMounts: [MountRule] = []) throws -> PreparedPolicy {
        let key = PreparedKey(policy: policy, extraMounts: extraMounts)
        if let cached = prepared.withLock({ $0.find(key) }) { return cached }
        let skeleton = try RootSkeleton(
            policy: policy, imageRoot: try images.root(for: policy.image), extraMounts: extraMounts,
            runtimeDirectory: runtimeDirectory)
        try skeleton.build()
        let result = PreparedPolicy(seccomp: try SeccompCompiler.compile(policy.seccomp), skeleton: skeleton)
        prepared.withLock { $0.add(result, for: key) }
        return result
    }

    /// Runs one program to its end on a thread of its own: watching it blocks, and must not take one of the
    /// few threads Swift's concurrency runs everything else on.
    ///
    /// Cancelling the calling task kills the sandbox, every process in it, and throws `CancellationError`:
    /// a job whose lease is revoked gives its slot back at once instead of when the step's limits end it.
    /// A run cancelled before it starts builds no sandbox.
    public func run(_ request: SandboxRequest) async throws -> SandboxResult {
        let cancellation = RunCancellation()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let thread = Thread { [self] in
                    continuation.resume(with: Result { try self.runBlocking(request, cancellation: cancellation) })
                }
                thread.stackSize = 1 << 20
                thread.start()
            }
        } onCancel: {
            cancellation.cancel()
        }
    }

    /// Runs one program to its end on the calling thread.
    public func runBlocking(_ request: SandboxRequest) throws -> SandboxResult {
        try runBlocking(request, cancellation: nil)
    }

    private func runBlocking(_ request: SandboxRequest, cancellation: RunCancellation?) throws -> SandboxResult {
        // What a cancelled run reports (a kill, a failed set-up) would be ours, not the program's.
        if cancellation?.isCancelled == true { throw CancellationError() }
        let outcome = Result { try runMeasured(request, cancellation: cancellation) }
        if cancellation?.isCancelled == true { throw CancellationError() }
        if case .failure(SandboxError.setupFailed) = outcome { SandboxMetrics.setupFailures.increment() }
        return try outcome.get()
    }

    private func runMeasured(_ request: SandboxRequest, cancellation: RunCancellation?) throws -> SandboxResult {
        let setupStarted = ContinuousClock.now
        guard let first = request.command.first, !first.isEmpty else {
            throw SandboxError.invalidRequest("no command given; put it after -- (crucible sandbox run -- /bin/true)")
        }
        if let workdir = request.workdir {
            try WorkdirCheck.verify(workdir, uid: request.hostUID, gid: request.hostGID)
        }
        let plan = try prepare(request.policy, extraMounts: request.extraMounts)
        let limits = request.policy.limits
        let cgroup = try cgroupPool.take(
            CgroupLimits(
                memory: limits.memory, pids: limits.pids, cpuCores: limits.cpuCores, cpuWeight: limits.cpuWeight))
        // Emptied below (or by its killing in `finish`); removed by the pool's thread, off this report's path.
        defer { cgroupPool.giveBack(cgroup) }

        let input = try StandardInput.open(request.stdin)
        defer { close(input) }
        let stdout = try Pipe.make()
        let stderr = try Pipe.make()
        defer {
            close(stdout.read)
            close(stderr.read)
        }

        let network = networks.take(request.policy.network)
        defer { if network >= 0 { close(network) } }

        var child = csbx_child()
        var spawnedBy = 0
        var failure = csbx_setup_error()
        let spawned = withSpawnSpec(
            request, plan: plan, cgroup: cgroup, network: network, stdin: input, stdout: stdout.write,
            stderr: stderr.write
        ) { spec in
            spawner.spawn(
                &spec, taskDescriptors: cgroup.taskDescriptors, child: &child, failure: &failure, spawnedBy: &spawnedBy)
        }
        close(stdout.write)
        close(stderr.write)
        if spawned == -1 { throw setupError(failure, request: request, plan: plan) }
        // Held here, the init's mount namespace outlives the init: its exit then need not tear the namespace
        // down (waiting out an RCU grace period) before this thread hears of it. The clean-up queue closes it.
        let mountNamespace = csbx_mount_namespace(child.pidfd, child.pid)
        // From here the init exists: whatever happens, it is killed (if it still lives) and reaped.
        defer {
            finish(&child, spawnedBy: spawnedBy)
            if child.pidfd >= 0 { close(child.pidfd) }
            if child.status_fd >= 0 { close(child.status_fd) }
            if child.error_fd >= 0 { close(child.error_fd) }
            if mountNamespace >= 0 { CleanupQueue.shared.add { close(mountNamespace) } }
        }
        let registration = LiveSandboxes.shared.register(pidfd: child.pidfd, cgroup: cgroup)
        defer { LiveSandboxes.shared.unregister(registration) }
        cancellation?.watch(registration)
        if spawned == 1 {
            // The spawner could not ready the child (its id maps, its go-ahead). A child that failed on its own,
            // and so broke the spawner's step, says why: that is the real cause.
            let spawnerFailure = failure
            finish(&child, spawnedBy: spawnedBy)
            if csbx_reported_error(&child, &failure) == 1 { throw setupError(failure, request: request, plan: plan) }
            throw setupError(spawnerFailure, request: request, plan: plan)
        }

        // The program's time counts from before its go-ahead: it may start before this thread runs again, and
        // no moment of it may go unmeasured (its last set-up steps, microseconds, count as its own instead).
        let started = ContinuousClock.now
        let released = csbx_release(&child, &failure, Self.setupTimeoutMilliseconds)
        SandboxMetrics.setup.record(duration: ContinuousClock.now - setupStarted)
        if released != 0 {
            let parentErrno = errno
            finish(&child, spawnedBy: spawnedBy)
            if released == 1 { throw setupError(failure, request: request, plan: plan) }
            if released == 2 {
                throw SandboxError.setupFailed(
                    step: "set-up", errno: 0,
                    detail: "it did not finish within \(Self.setupTimeoutMilliseconds / 1000)s")
            }
            throw SandboxError.setupFailed(step: "release the child", errno: parentErrno, detail: "")
        }

        var supervisor = Supervisor(
            pidfd: child.pidfd, cgroup: cgroup, limits: limits, stdout: stdout.read, stderr: stderr.read,
            started: started, split: request.split)
        supervisor.run()
        let wall = ContinuousClock.now - started

        let reapedByItsSpawner = finish(&child, spawnedBy: spawnedBy)
        var workloadStatus: Int32 = 0
        let reported = csbx_read_status(child.status_fd, &workloadStatus) == 0
        if !reported && !reapedByItsSpawner && supervisor.stoppedFor == nil {
            // Killed from outside, with the spawner: our failure, which must not pass for the program's.
            throw SandboxError.setupFailed(
                step: "run", errno: 0,
                detail: "the sandbox spawner died while the program ran, and the sandbox with it; run it again")
        }

        cgroup.killAll()
        let result = Self.result(
            of: supervisor, workloadStatus: reported ? workloadStatus : nil, usage: cgroup.usage(), wall: wall,
            marker: request.split?.marker ?? [])
        logger.debug(
            "sandbox finished",
            metadata: [
                "status": "\(result.status.rawValue)", "wall_s": "\(result.wallTimeS)", "cpu_s": "\(result.cpuTimeS)",
            ])
        return result
    }

    /// The report of a finished sandbox. When its program wrote the split marker, the report is the second
    /// step's (counted from the marker) and carries the first step's usage and output beside it.
    private static func result(
        of supervisor: Supervisor, workloadStatus: Int32?, usage: CgroupUsage, wall: Duration, marker: [UInt8]
    ) -> SandboxResult {
        guard let mark = supervisor.marked else {
            return ResultBuilder(
                workloadStatus: workloadStatus, stoppedFor: supervisor.stoppedFor, usage: usage,
                limits: supervisor.stepLimits, wallSeconds: wall.seconds, stdout: supervisor.stdout,
                stderr: supervisor.stderr
            ).build()
        }
        // A stream the marker never came in is the second step's: nothing of it is lost from that report.
        let (firstStdout, secondStdout) = Self.split(supervisor.stdout.bytes, at: mark.stdoutEnd, marker: marker)
        let (firstStderr, secondStderr) = Self.split(supervisor.stderr.bytes, at: mark.stderrEnd, marker: marker)
        var second = usage
        second.cpuNanoseconds = usage.cpuNanoseconds - min(usage.cpuNanoseconds, mark.usage.cpuNanoseconds)
        let firstWall = mark.at - supervisor.started
        var result = ResultBuilder(
            workloadStatus: workloadStatus, stoppedFor: supervisor.stoppedFor, usage: second,
            limits: supervisor.stepLimits, wallSeconds: (wall - firstWall).seconds,
            stdout: CapturedStream(bytes: secondStdout, truncated: supervisor.stdout.truncated),
            stderr: CapturedStream(bytes: secondStderr, truncated: supervisor.stderr.truncated)
        ).build()
        result.firstStage = SandboxResult.FirstStage(
            cpuTimeS: Double(mark.usage.cpuNanoseconds) / 1e9, wallTimeS: firstWall.seconds,
            peakMemoryBytes: mark.usage.peakMemoryBytes, stdoutBytes: firstStdout, stderrBytes: firstStderr)
        return result
    }

    /// What comes before the marker at `end`, and what comes after it.
    private static func split(_ bytes: [UInt8], at end: Int?, marker: [UInt8]) -> ([UInt8], [UInt8]) {
        guard let end else { return ([], bytes) }
        return (Array(bytes[..<end]), Array(bytes[min(bytes.count, end + marker.count)...]))
    }

    /// Kills the sandbox's init unless it has exited, waits until it has, and has its spawner (of generation
    /// `spawnedBy`) reap it. Returns whether that spawner reaped it (false: it died, and the init with it).
    /// Idempotent: the first call does the work.
    @discardableResult
    private func finish(_ child: inout csbx_child, spawnedBy: Int) -> Bool {
        guard child.pid > 0 else { return true }
        if child.sync_fd >= 0 {
            close(child.sync_fd)
            child.sync_fd = -1
        }
        if !Supervisor.hasExited(child.pidfd) {
            _ = csbx_pidfd_signal(child.pidfd, SIGKILL)
            var exited = pollfd(fd: child.pidfd, events: Int16(POLLIN), revents: 0)
            while poll(&exited, 1, -1) < 0 && errno == EINTR {}
        }
        let reaped = spawner.reap(child.pid, spawnedBy: spawnedBy)
        child.pid = 0
        return reaped
    }

    private func setupError(_ failure: csbx_setup_error, request: SandboxRequest, plan: PreparedPolicy) -> SandboxError
    {
        let step = String(cString: csbx_step_name(failure.step))
        var detail = ""
        switch Int(failure.step) {
        case Int(CSBX_STEP_MOUNT.rawValue), Int(CSBX_STEP_MOUNT_ATTRIBUTES.rawValue):
            if failure.index >= 0, Int(failure.index) < plan.skeleton.mounts.count {
                let mount = plan.skeleton.mounts[Int(failure.index)]
                detail = "\(mount.kind.rawValue) \(mount.source.map { "\($0) -> " } ?? "")\(mount.target)"
            }
        case Int(CSBX_STEP_EXEC.rawValue):
            let command = request.command.first ?? ""
            detail =
                failure.error == ENOENT
                ? "'\(command)' was not found in the sandbox (PATH=\(request.policy.searchPath)); "
                    + "give a path that exists in the image"
                : "cannot run '\(command)' in the sandbox"
        case Int(CSBX_STEP_CHDIR.rawValue):
            detail = "the workdir is not reachable inside the sandbox"
        default:
            break
        }
        return .setupFailed(step: step, errno: failure.error, detail: detail)
    }
}

private struct PreparedKey: Hashable {
    let policy: SandboxPolicy
    let extraMounts: [MountRule]
}

/// Every policy prepared so far. Hashing a whole policy at every sandbox cost more than the rest of its
/// bookkeeping (about 45 µs), so the few used last are found by comparing: a key built from the same
/// values as a stored one shares their storage, and compares equal at a glance.
private struct PreparedPolicies {
    private var all: [PreparedKey: PreparedPolicy] = [:]
    private var recent: [(key: PreparedKey, value: PreparedPolicy)] = []

    mutating func find(_ key: PreparedKey) -> PreparedPolicy? {
        if let hit = recent.firstIndex(where: { $0.key == key }) { return recent[hit].value }
        guard let value = all[key] else { return nil }
        remember(value, for: key)
        return value
    }

    mutating func add(_ value: PreparedPolicy, for key: PreparedKey) {
        all[key] = value
        remember(value, for: key)
    }

    private mutating func remember(_ value: PreparedPolicy, for key: PreparedKey) {
        recent.insert((key, value), at: 0)
        if recent.count > 8 { recent.removeLast() }
    }
}

/// What `prepare` makes of a policy, computed once and shared by every sandbox that uses it.
public struct PreparedPolicy: Sendable {
    public let seccomp: SeccompProgram
    public let skeleton: RootSkeleton
}

/// What every sandbox records through swift-metrics (exported wherever the process has a backend: the
/// control plane's `/metrics` under `crucible up`, `--metrics-listen` under `crucible agent`).
/// Made at each use, not once: a metric made before the process chose its backend would stay a no-op.
enum SandboxMetrics {
    /// From the request to the program's exec: cgroup, namespaces, root, privileges, seccomp.
    static var setup: Timer { Timer(label: "crucible_sandbox_setup_seconds", preferredDisplayUnit: .seconds) }
    /// Sandboxes that could not be built (the job is then `errored`, never the candidate's fault).
    static var setupFailures: Counter { Counter(label: "crucible_sandbox_setup_failures_total") }
}

extension Duration {
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}

enum Pipe {
    static func make() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        guard csbx_pipe_cloexec(&fds) == 0 else {
            throw SandboxError.setupFailed(step: "create output pipes", errno: errno, detail: "")
        }
        // Non-blocking read ends: the supervisor drains both from one poll loop.
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        // A larger pipe lets a chatty program run without waiting on the supervisor.
        _ = csbx_set_pipe_size(fds[1], 1 << 20)
        return (fds[0], fds[1])
    }
}

enum StandardInput {
    static func open(_ input: SandboxRequest.Input) throws -> Int32 {
        switch input {
        case .none:
            let fd = Glibc.open("/dev/null", O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw SandboxError.setupFailed(step: "open /dev/null", errno: errno, detail: "") }
            return fd
        case .file(let path):
            let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                throw SandboxError.invalidRequest("cannot read stdin file \(path): \(errnoText(errno)); check the path")
            }
            return fd
        case .bytes(let bytes):
            let fd = csbx_memfd("crucible-stdin")
            guard fd >= 0 else { throw SandboxError.setupFailed(step: "memfd for stdin", errno: errno, detail: "") }
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                guard written > 0 else {
                    close(fd)
                    throw SandboxError.setupFailed(step: "write stdin", errno: errno, detail: "")
                }
                offset += written
            }
            lseek(fd, 0, SEEK_SET)
            return fd
        }
    }
}
