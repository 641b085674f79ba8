import CrucibleAPI
import Foundation

/// A completion waiting to be delivered: the job it belongs to and the request body.
public struct SpooledCompletion: Codable, Sendable, Hashable {
    public var jobID: String
    /// The registration that held the lease: a completion left by an earlier run of the agent is sent with
    /// that registration's credential.
    public var agentID: String?
    public var request: CompletionRequest
    public var spooledAt: Date

    public init(jobID: String, agentID: String?, request: CompletionRequest, spooledAt: Date = Date()) {
        self.jobID = jobID
        self.agentID = agentID
        self.request = request
        self.spooledAt = spooledAt
    }

    enum CodingKeys: String, CodingKey {
        case jobID = "job_id"
        case agentID = "agent_id"
        case request
        case spooledAt = "spooled_at"
    }

    /// The file name: job and lease, so a re-leased job's second result never overwrites the first.
    var fileName: String {
        CompletionSpool.safeName(jobID) + "." + CompletionSpool.safeName(request.leaseID) + ".json"
    }
}

/// When the agent writes a completion to its spool.
public enum SpoolMode: Sendable, Hashable {
    /// Before sending it, flushed to the disk: a crash or power cut of the node, or a control plane out of
    /// reach, loses nothing, and what is left is delivered at the next start. `crucible agent`'s mode.
    case beforeSending
    /// Only once a delivery failed (or the agent stops with it undelivered), and not flushed. For an agent in
    /// its control plane's own process (`crucible up`): delivering is a call into that process, to a store that
    /// does not flush each commit either (SQLite in WAL mode, synchronous=NORMAL). A result the process dies
    /// with before delivering it is lost, and its job runs again once its lease expires, as after a power cut.
    case whenUndelivered
}

/// Completions on disk between "the job finished" and "the control plane has it".
///
/// Each completion is written before it is sent, or once sending it failed (`SpoolMode`), to a temporary file
/// (flushed, unless `flushes` is off), then renamed into place, so a crash leaves either the whole file or
/// none; it is removed once the control plane answered 2xx or 409. An
/// agent that crashed, lost power or could not reach the control plane delivers what is left at its next
/// start. A file that cannot be read back is moved to `corrupt/` rather than retried forever; a completion
/// the control plane refused for good (400, 401, 403, 404, 413) goes to `rejected/` for a person to look at.
public struct CompletionSpool: Sendable {
    public let directory: String
    /// Whether each completion is flushed to the disk (`fsync`), so it survives a power cut as well as a crash.
    public let flushes: Bool

    /// Creates the directory (and its parents) when missing.
    public init(directory: String, flushes: Bool = true) throws(AgentError) {
        self.directory = directory
        self.flushes = flushes
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .spool("cannot create the spool directory \(directory) (\(error)); give a writable --spool DIR")
        }
        guard FileManager.default.isWritableFile(atPath: directory) else {
            throw .spool("the spool directory \(directory) is not writable; give a writable --spool DIR")
        }
    }

    /// Writes a completion atomically. Nothing is sent before this returned.
    public func write(_ completion: SpooledCompletion) throws(AgentError) {
        let data: Data
        do {
            data = try CrucibleJSON.encode(completion)
        } catch {
            throw .spool("cannot encode the completion of job \(completion.jobID): \(error)")
        }
        try Self.writeAtomically(data, to: directory + "/" + completion.fileName, flush: flushes)
    }

    /// Whether the completion is on disk.
    public func contains(_ completion: SpooledCompletion) -> Bool {
        access(directory + "/" + completion.fileName, F_OK) == 0
    }

    /// Removes a delivered completion. Removing one that is gone is fine.
    public func remove(_ completion: SpooledCompletion) {
        unlink(directory + "/" + completion.fileName)
    }

    /// Moves a completion the control plane refused for good out of the way, keeping it for inspection.
    public func reject(_ completion: SpooledCompletion) {
        move(completion.fileName, to: "rejected")
    }

    /// Every completion waiting, oldest first. Unreadable files are moved to `corrupt/` and reported.
    public func pending() -> (completions: [SpooledCompletion], corrupt: [String]) {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }
        var completions: [SpooledCompletion] = []
        var corrupt: [String] = []
        for name in names {
            guard let data = FileManager.default.contents(atPath: directory + "/" + name),
                let completion = try? CrucibleJSON.decode(SpooledCompletion.self, from: data)
            else {
                move(name, to: "corrupt")
                corrupt.append(name)
                continue
            }
            completions.append(completion)
        }
        return (completions.sorted { ($0.spooledAt, $0.fileName) < ($1.spooledAt, $1.fileName) }, corrupt)
    }

    /// How many completions wait.
    public var depth: Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.count
    }

    /// Removes temporary files a crash left half-written (they never became completions).
    public func sweepTemporaryFiles() {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        where name.hasPrefix(".tmp-") {
            unlink(directory + "/" + name)
        }
    }

    private func move(_ name: String, to subdirectory: String) {
        let target = directory + "/" + subdirectory
        try? FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        rename(directory + "/" + name, target + "/" + name)
    }

    // MARK: - Files

    /// Temp file in the same directory, written (and with `flush`, flushed), then renamed over the target:
    /// readers see the old file or the new one, never a torn one. With `flush` the directory is flushed too, so
    /// the rename survives a power cut.
    static func writeAtomically(_ data: Data, to path: String, flush: Bool = true) throws(AgentError) {
        let directory = (path as NSString).deletingLastPathComponent
        let temporary = directory + "/.tmp-" + UUID().uuidString
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw .spool("cannot create \(temporary) (\(String(cString: strerror(errno)))); check the spool directory")
        }
        var failure: Int32 = 0
        data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(
                    descriptor, buffer.baseAddress?.advanced(by: offset), buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                offset += written
            }
        }
        if failure == 0, flush, fsync(descriptor) != 0 { failure = errno }
        close(descriptor)
        if failure == 0, rename(temporary, path) != 0 { failure = errno }
        guard failure == 0 else {
            unlink(temporary)
            throw .spool(
                "cannot write \(path) (\(String(cString: strerror(failure)))); check free space in the spool directory")
        }
        guard flush else { return }
        let directoryDescriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }

    private static let allowedInNames = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")

    /// Ids are validated by the control plane, but a file name must never depend on that.
    static func safeName(_ id: String) -> String {
        let cleaned = String(id.prefix(120).map { allowedInNames.contains($0) ? $0 : "_" })
        return cleaned.isEmpty ? "_" : cleaned
    }
}
