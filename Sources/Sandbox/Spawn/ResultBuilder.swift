#if canImport(Glibc)
    import Glibc
#endif

/// Decides what a finished sandbox's report says from what the supervisor and the cgroup saw.
struct ResultBuilder {
    /// The workload's wait status as its init reported it; nil when the init was killed first.
    let workloadStatus: Int32?
    let stoppedFor: SandboxResult.Status?
    let usage: CgroupUsage
    let limits: Limits
    let wallSeconds: Double
    let stdout: CapturedStream
    let stderr: CapturedStream

    func build() -> SandboxResult {
        var exitCode: Int32?
        var signal: Int32?
        if let status = workloadStatus {
            let low = status & 0x7f
            if low == 0 {
                exitCode = (status >> 8) & 0xff
            } else if low != 0x7f {
                signal = low
            }
        } else {
            // The whole sandbox was killed before the program's end could be reported.
            signal = SIGKILL
        }

        var hit: [SandboxResult.Limit] = []
        let cpuSeconds = Double(usage.cpuNanoseconds) / 1e9
        if stoppedFor == .cpuTimeLimit || cpuSeconds >= limits.cpuTime { hit.append(.cpuTime) }
        if stoppedFor == .wallTimeLimit { hit.append(.wallTime) }
        if usage.oomKills > 0 { hit.append(.memory) }
        if usage.pidsLimitHits > 0 { hit.append(.pids) }
        // Killed by SIGXFSZ, or a shell reporting that a command it ran was (128 + SIGXFSZ).
        if signal == SIGXFSZ || exitCode == 128 + SIGXFSZ { hit.append(.fileSize) }
        if stdout.truncated || stderr.truncated { hit.append(.output) }

        let status: SandboxResult.Status
        if let stoppedFor {
            status = stoppedFor
        } else if usage.oomKills > 0, signal == SIGKILL || exitCode == 128 + SIGKILL {
            // The OOM killer ended the program, or a command a shell ran for it (128 + SIGKILL).
            status = .memoryLimit
        } else if signal != nil {
            status = .signaled
        } else {
            status = exitCode == 0 ? .ok : .exited
        }
        return SandboxResult(
            status: status, exitCode: exitCode, signal: signal, cpuTimeS: cpuSeconds, wallTimeS: wallSeconds,
            peakMemoryBytes: usage.peakMemoryBytes, limitsHit: hit, stdoutBytes: stdout.bytes,
            stderrBytes: stderr.bytes, stdoutTruncated: stdout.truncated, stderrTruncated: stderr.truncated)
    }
}
