import CrucibleAPI
import Foundation
import Testing

@testable import Agent

@Suite("The completion spool")
struct SpoolTests {
    static func completion(_ job: String, lease: String = "l-1", agent: String? = "agent-1") -> SpooledCompletion {
        SpooledCompletion(
            jobID: job, agentID: agent,
            request: CompletionRequest(
                leaseID: lease, result: JobResult(taskID: "t", model: "m", verdict: .passed), referenceCPUTimeS: 0.1))
    }

    /// Flushed or not (`crucible up`'s), a spool keeps the same files.
    @Test(arguments: [true, false])
    func writesAtomicallyAndReadsBack(flushes: Bool) async throws {
        try await withTemporaryDirectory { directory in
            let spool = try CompletionSpool(directory: directory + "/spool", flushes: flushes)
            let first = Self.completion("job-1")
            try spool.write(first)
            try spool.write(Self.completion("job-2", lease: "l-2"))
            let files = try FileManager.default.contentsOfDirectory(atPath: spool.directory).sorted()
            #expect(files == ["job-1.l-1.json", "job-2.l-2.json"], "no temporary file left behind")
            let (pending, corrupt) = spool.pending()
            #expect(corrupt.isEmpty)
            #expect(pending.map(\.jobID) == ["job-1", "job-2"])
            #expect(pending.first == first)
            // Rewriting is a whole-file replace.
            try spool.write(first)
            #expect(spool.depth == 2)
            let attributes = try FileManager.default.attributesOfItem(atPath: spool.directory + "/job-1.l-1.json")
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
        }
    }

    @Test(arguments: [true, false])
    func survivesARestart(flushes: Bool) async throws {
        try await withTemporaryDirectory { directory in
            do {
                let spool = try CompletionSpool(directory: directory, flushes: flushes)
                try spool.write(Self.completion("job-1"))
            }
            // A crash mid-write leaves a temporary file: never read as a completion, swept at start.
            _ = FileManager.default.createFile(atPath: directory + "/.tmp-crashed", contents: Data("{\"job_".utf8))
            let again = try CompletionSpool(directory: directory)
            #expect(again.pending().completions.map(\.jobID) == ["job-1"])
            again.sweepTemporaryFiles()
            #expect(!FileManager.default.fileExists(atPath: directory + "/.tmp-crashed"))
        }
    }

    @Test func unreadableFilesAreSetAsideNotRetried() async throws {
        try await withTemporaryDirectory { directory in
            let spool = try CompletionSpool(directory: directory)
            _ = FileManager.default.createFile(atPath: directory + "/job-9.l-9.json", contents: Data("{garbage".utf8))
            try spool.write(Self.completion("job-1"))
            let (pending, corrupt) = spool.pending()
            #expect(pending.map(\.jobID) == ["job-1"])
            #expect(corrupt == ["job-9.l-9.json"])
            #expect(FileManager.default.fileExists(atPath: directory + "/corrupt/job-9.l-9.json"))
            #expect(spool.depth == 1)
        }
    }

    @Test func removeAndReject() async throws {
        try await withTemporaryDirectory { directory in
            let spool = try CompletionSpool(directory: directory)
            let kept = Self.completion("job-1")
            let refused = Self.completion("job-2", lease: "l-2")
            try spool.write(kept)
            try spool.write(refused)
            spool.remove(kept)
            spool.remove(kept)  // twice is fine
            spool.reject(refused)
            #expect(spool.depth == 0)
            #expect(FileManager.default.fileExists(atPath: directory + "/rejected/job-2.l-2.json"))
        }
    }

    @Test func anUnwritableSpoolIsAClearError() async {
        await withTemporaryDirectory { directory in
            _ = FileManager.default.createFile(atPath: directory + "/file", contents: Data())
            let error = #expect(throws: AgentError.self) { try CompletionSpool(directory: directory + "/file/spool") }
            #expect(error?.kind == .spool)
            #expect(error?.message.contains("--spool") == true)
        }
    }

    @Test func fileNamesNeverEscapeTheDirectory() {
        #expect(CompletionSpool.safeName("../../etc/passwd") == "______etc_passwd")
        #expect(CompletionSpool.safeName("") == "_")
        #expect(CompletionSpool.safeName("job-1_a") == "job-1_a")
    }
}
