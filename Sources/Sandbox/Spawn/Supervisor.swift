import CSandbox
import Foundation

/// Watches one running sandbox from the outside: enforces wall time, CPU time (summed over every
/// process, from the cgroup) and the output limit, and collects stdout and stderr.
struct Supervisor {
    let pidfd: Int32
    let cgroup: any Cgroup
    let limits: Limits
    let stdoutFD: Int32
    let stderrFD: Int32
    let started: ContinuousClock.Instant
    let split: StageSplit?

    private(set) var stdout = CapturedStream()
    private(set) var stderr = CapturedStream()
    /// Why the supervisor stopped the sandbox, if it did.
    private(set) var stoppedFor: SandboxResult.Status?
    /// Where and when a split sandbox's program wrote its marker.
    private(set) var marked: Mark?

    struct Mark {
        var at: ContinuousClock.Instant
        /// The cgroup's counters then (CPU time and peak memory of the first step).
        var usage: CgroupUsage
        /// Where the marker starts in each stream: what comes before it is the first step's output, what
        /// comes after it the second's. Nil until it has come in that stream.
        var stdoutEnd: Int?
        var stderrEnd: Int?
    }

    /// Where to go on looking for the marker in each stream (it may arrive in pieces).
    private var searchedStdout = 0
    private var searchedStderr = 0
    private var wallDeadline: ContinuousClock.Instant
    private var cpuLimit: UInt64
    private var nextCPUCheck: ContinuousClock.Instant
    /// CPU time can grow no faster than the cores the sandbox may use, so there is no need to look
    /// at the counter before the earliest moment it could pass the limit.
    private let cores: Double
    /// Foundation reads it from /sys and the cgroup files at each call.
    private static let processors = ProcessInfo.processInfo.activeProcessorCount

    init(
        pidfd: Int32, cgroup: any Cgroup, limits: Limits, stdout: Int32, stderr: Int32,
        started: ContinuousClock.Instant, split: StageSplit? = nil
    ) {
        self.pidfd = pidfd
        self.cgroup = cgroup
        self.limits = limits
        self.stdoutFD = stdout
        self.stderrFD = stderr
        self.started = started
        self.split = split
        cores = max(0.01, min(limits.cpuCores, Double(Self.processors)))
        let wall = split?.firstWallTime ?? limits.wallTime
        let cpu = split?.firstCPUTime ?? limits.cpuTime
        wallDeadline = started + .milliseconds(Int64(wall * 1000))
        cpuLimit = UInt64(cpu * 1e9)
        nextCPUCheck = started + .milliseconds(Int64(cpu / cores * 1000))
    }

    /// The limits of the step that was running when the sandbox ended.
    var stepLimits: Limits {
        guard let split, marked == nil else { return limits }
        var first = limits
        first.wallTime = split.firstWallTime
        first.cpuTime = split.firstCPUTime
        return first
    }

    mutating func run() {
        var fds = [
            pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0),
            pollfd(fd: stdoutFD, events: Int16(POLLIN), revents: 0),
            pollfd(fd: stderrFD, events: Int16(POLLIN), revents: 0),
        ]
        var exited = false
        var killedAt: ContinuousClock.Instant?
        while !exited {
            let now = ContinuousClock.now
            if stoppedFor == nil {
                if now >= wallDeadline {
                    // A poll that timed out at the moment the program ended must not turn its end into a kill.
                    if Self.hasExited(pidfd) { break }
                    stop(for: .wallTimeLimit)
                } else if now >= nextCPUCheck {
                    let used = cgroup.cpuNanoseconds()
                    if used >= cpuLimit {
                        stop(for: .cpuTimeLimit)
                    } else {
                        let earliest = Double(cpuLimit - used) / 1e9 / cores
                        nextCPUCheck = now + .milliseconds(Int64(max(0.002, earliest) * 1000))
                    }
                }
                if stoppedFor != nil { killedAt = now }
            } else if let killed = killedAt, now - killed > .seconds(1) {
                // Something survived the first kill (a process mid-fork): kill again.
                stop(for: stoppedFor ?? .wallTimeLimit)
                killedAt = now
            }
            var timeout: Int32 = 100
            if stoppedFor == nil {
                let until = min(wallDeadline, nextCPUCheck) - now
                timeout = Int32(max(0, min(1000, until.seconds * 1000 + 1)))
            }
            let ready = poll(&fds, nfds_t(fds.count), timeout)
            if ready < 0 && errno != EINTR { break }
            if fds[0].revents != 0 { exited = true }
            if fds[1].revents != 0, !drain(stdoutFD, stderr: false) { fds[1].fd = -1 }
            if fds[2].revents != 0, !drain(stderrFD, stderr: true) { fds[2].fd = -1 }
        }
        // Every writer is gone with the pid namespace: take what is left in the pipes.
        if fds[1].fd >= 0 { _ = drain(stdoutFD, stderr: false) }
        if fds[2].fd >= 0 { _ = drain(stderrFD, stderr: true) }
    }

    /// Whether the process behind `pidfd` has exited (its pidfd is readable), without waiting.
    static func hasExited(_ pidfd: Int32) -> Bool {
        var entry = pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) == 1
    }

    /// Looks for the marker in what has come of one stream. The first marker, in either stream, ends the
    /// first step: the second's limits count from then. Each stream is split at its own marker, as two pipes
    /// keep no order between them.
    private mutating func lookForMarker(inStderr: Bool) {
        guard let split else { return }
        let stream = inStderr ? stderr : stdout
        let searched = inStderr ? searchedStderr : searchedStdout
        if let marked, (inStderr ? marked.stderrEnd : marked.stdoutEnd) != nil { return }
        guard let end = stream.firstIndex(of: split.marker, from: searched) else {
            let next = max(0, stream.bytes.count - split.marker.count + 1)
            if inStderr { searchedStderr = next } else { searchedStdout = next }
            return
        }
        if marked == nil {
            // A program stopped by a limit of its first step never got to its second.
            guard stoppedFor == nil else { return }
            let now = ContinuousClock.now
            let usage = cgroup.usage()
            marked = Mark(at: now, usage: usage)
            wallDeadline = now + .milliseconds(Int64(limits.wallTime * 1000))
            cpuLimit = usage.cpuNanoseconds + UInt64(limits.cpuTime * 1e9)
            nextCPUCheck = now + .milliseconds(Int64(limits.cpuTime / cores * 1000))
        }
        if inStderr { marked?.stderrEnd = end } else { marked?.stdoutEnd = end }
    }

    private mutating func stop(for reason: SandboxResult.Status) {
        if stoppedFor == nil { stoppedFor = reason }
        cgroup.killAll()
        _ = csbx_pidfd_signal(pidfd, SIGKILL)
    }

    /// Reads what is available; returns false at end of file.
    private mutating func drain(_ fd: Int32, stderr isStderr: Bool) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                let chunk = buffer[0..<count]
                let overflowed =
                    isStderr ? stderr.append(chunk, limit: limits.output) : stdout.append(chunk, limit: limits.output)
                if overflowed && stoppedFor == nil { stop(for: .outputLimit) }
                lookForMarker(inStderr: isStderr)
                continue
            }
            if count == 0 { return false }
            return errno == EAGAIN || errno == EINTR
        }
    }
}

/// One output stream, kept up to the limit.
struct CapturedStream {
    private(set) var bytes: [UInt8] = []
    private(set) var truncated = false

    init(bytes: [UInt8] = [], truncated: Bool = false) {
        self.bytes = bytes
        self.truncated = truncated
    }

    /// Returns true when this append went past the limit.
    mutating func append(_ chunk: ArraySlice<UInt8>, limit: UInt64) -> Bool {
        let room = Int(limit) - bytes.count
        if chunk.count <= room {
            bytes.append(contentsOf: chunk)
            return false
        }
        if room > 0 { bytes.append(contentsOf: chunk.prefix(room)) }
        truncated = true
        return true
    }

    /// Where `needle` first starts at or after `start`.
    func firstIndex(of needle: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, bytes.count >= needle.count else { return nil }
        var index = max(0, start)
        while index + needle.count <= bytes.count {
            if bytes[index] == needle[0], bytes[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
