import Foundation

/// `crucible policy check`: every hostile probe in its own sandbox under a policy, and a verdict each.
public struct PolicyChecker: Sendable {
    public struct Finding: Sendable, Codable, Equatable {
        public var probe: String
        public var attempt: String
        public var expected: String
        public var got: String
        public var contained: Bool
        public var detail: String
    }

    /// Probes run with limits no looser than these, so that the bombs end in seconds. Each bomb ends at its
    /// own limit (memory, pids, CPU, disk) in well under a second of CPU; the wall clock is only the backstop.
    /// It is long because a starved node (a CI run with dozens of sandboxes beside compilers) can leave a
    /// sandbox unscheduled for seconds, and that must not turn a memory bomb into a wall-time result. The one
    /// probe that is about the wall clock sets its own.
    public static let probeLimits = Limits(
        cpuTime: 2, wallTime: 30, memory: 128 << 20, pids: 64, cpuCores: 1, cpuWeight: 100, fileSize: 16 << 20,
        openFiles: 256, stack: 8 << 20, output: 64 << 10, tmpSize: 16 << 20, shmSize: 16 << 20, workSize: 32 << 20,
        inodes: 2048)

    let runner: SandboxRunner
    let policy: SandboxPolicy
    let probeExecutable: String
    let firstSlot: Int

    /// `probeExecutable` is a crucible binary (this one by default); `firstSlot` keeps the probes'
    /// host uids apart from other sandboxes running at the same time.
    public init(runner: SandboxRunner, policy: SandboxPolicy, probeExecutable: String? = nil, firstSlot: Int = 0) {
        self.runner = runner
        self.probeExecutable =
            probeExecutable ?? (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? "/proc/self/exe"
        self.firstSlot = firstSlot
        var tightened = policy
        tightened.limits = policy.limits.tightened(by: Self.probeLimits)
        self.policy = tightened
    }

    /// The probe program is this executable, bound read-only at /.crucible/crucible, with its Swift
    /// runtime directory when it is linked dynamically (a development build). Both come from the
    /// node even when the policy names a built image; the runtime directory is bound also when it is
    /// under /usr, since a built image's /usr is not the node's.
    public static func probeMounts(executable: String, hostImage: Bool = true) -> [MountRule] {
        var mounts = [
            MountRule(
                target: "/.crucible/crucible", kind: .bind, source: executable, readOnly: true, optional: false,
                size: nil, line: nil, fromHost: true)
        ]
        let maps = readWholeFile("/proc/self/maps") ?? ""
        if let line = maps.split(separator: "\n").first(where: { $0.hasSuffix("/libswiftCore.so") }),
            let path = line.split(separator: " ").last
        {
            let directory = (String(path) as NSString).deletingLastPathComponent
            if !directory.hasPrefix("/usr/") || !hostImage {
                mounts.append(
                    MountRule(
                        target: directory, kind: .bind, source: directory, readOnly: true, optional: false, size: nil,
                        line: nil, fromHost: true))
            }
        }
        return mounts
    }

    /// Runs one probe and judges it.
    public func check(_ probe: HostileProbe, slot: Int = 0) async throws -> Finding {
        let shmBefore = Self.hostSharedMemorySegments()
        var probePolicy = policy
        if let wallTime = probe.wallTime { probePolicy.limits.wallTime = wallTime }
        let request = SandboxRequest(
            command: ["/.crucible/crucible", "probe", probe.name], policy: probePolicy, slot: slot,
            extraMounts: Self.probeMounts(executable: probeExecutable, hostImage: policy.image == ImageStore.host))
        let result = try await runner.run(request)
        let line = result.stdout.split(separator: "\n").last(where: { $0.hasPrefix("probe: ") }).map {
            String($0.dropFirst(7))
        }
        var detail = line ?? result.stderr.split(separator: "\n").last.map(String.init) ?? ""
        let probeSaw = result.status == .ok
        var contained: Bool
        var got: String
        switch probe.expectation {
        case .refused, .observed:
            contained = probeSaw
            got = probeSaw ? probe.expected : (line == nil ? describe(result) : "not contained")
        case .status(let status):
            contained = result.status == status
            got = describe(result)
        case .killedBy(let signal):
            contained = result.status == .signaled && result.signal == signal
            got = describe(result)
        case .limitHit(let limit):
            contained = probeSaw && result.limitsHit.contains(limit)
            got = result.limitsHit.contains(limit) ? "\(limit.rawValue) limit hit" : describe(result)
        }
        // What the probe cannot see from inside, the host can: nothing of the sandbox may remain.
        let leftovers = Self.hostProcesses(uid: request.hostUID)
        if !leftovers.isEmpty {
            contained = false
            detail += "; host processes of the sandbox's uid remain: \(leftovers)"
        }
        if Self.hostSharedMemorySegments() > shmBefore {
            contained = false
            detail += "; a System V shared memory segment outlived the sandbox"
        }
        if !contained, got == probe.expected { got = "not contained" }
        return Finding(
            probe: probe.name, attempt: probe.attempt, expected: probe.expected, got: got, contained: contained,
            detail: detail)
    }

    /// Runs every probe, two at a time (each worker in its own slot, so with its own host uid).
    public func checkAll() async throws -> [Finding] {
        let probes = HostileProbe.all
        let workers = 2
        let results = try await withThrowingTaskGroup(of: [(Int, Finding)].self) { group in
            for worker in 0..<workers {
                group.addTask {
                    var findings: [(Int, Finding)] = []
                    for index in stride(from: worker, to: probes.count, by: workers) {
                        findings.append((index, try await check(probes[index], slot: firstSlot + worker)))
                    }
                    return findings
                }
            }
            var all: [(Int, Finding)] = []
            for try await findings in group { all += findings }
            return all
        }
        return results.sorted { $0.0 < $1.0 }.map(\.1)
    }

    private func describe(_ result: SandboxResult) -> String {
        switch result.status {
        case .signaled: return "killed by \(signalName(result.signal ?? 0))"
        case .exited: return "exited \(result.exitCode ?? -1)"
        default: return result.status.rawValue
        }
    }

    /// Host processes running as a uid: a sandbox's must all be gone once it has ended.
    static func hostProcesses(uid: UInt32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.filter { pid in
            var info = stat()
            return stat("/proc/\(pid)", &info) == 0 && info.st_uid == uid
        }
    }

    static func hostSharedMemorySegments() -> Int {
        let text = readWholeFile("/proc/sysvipc/shm") ?? ""
        return max(0, text.split(separator: "\n").count - 1)
    }
}
