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

    private(set) var stdout = CapturedStream()
    private(set) var stderr = CapturedStream()
    /// Why the supervisor stopped the sandbox, if it did.
    private(set) var stoppedFor: SandboxResult.Status?

    init(
        pidfd: Int32, cgroup: any Cgroup, limits: Limits, stdout: Int32, stderr: Int32, started: ContinuousClock.Instant
    ) {
        self.pidfd = pidfd
        self.cgroup = cgroup
        self.limits = limits
        self.stdoutFD = stdout
        self.stderrFD = stderr
        self.started = started
    }

    mutating func run() {
        let wallDeadline = started + .milliseconds(Int64(limits.wallTime * 1000))
        let cpuLimit = UInt64(limits.cpuTime * 1e9)
        // CPU time can grow no faster than the cores the sandbox may use, so there is no need to look
        // at the counter before the earliest moment it could pass the limit.
        let cores = max(0.01, min(limits.cpuCores, Double(ProcessInfo.processInfo.activeProcessorCount)))
        var nextCPUCheck = started + .milliseconds(Int64(limits.cpuTime / cores * 1000))
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
}
