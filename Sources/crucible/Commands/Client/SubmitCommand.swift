import Agent
import ArgumentParser
import CrucibleAPI
import Foundation
import Toolchains

/// `crucible submit`: tasks and candidates from folders become one run.
struct SubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Submit a run: every candidate in --candidates against its task from --tasks.",
        discussion: """
            --tasks DIR and --candidates DIR are searched for *.json files (task files and candidate files, the \
            formats of DESIGN.md); a folder named "candidates" inside --tasks is skipped. A candidate whose task \
            is missing, or a file that is not valid, stops the submission before anything is sent.
            Exit status with --wait: 0 every job was evaluated, 1 some job errored (infrastructure) or the run was \
            cancelled (crucible cancel), 2 bad input, 125 the control plane failed.
            """)

    @OptionGroup var client: ClientOptions
    @Option(help: "Folder of task files (searched recursively).")
    var tasks: String
    @Option(help: "Folder of candidate files (searched recursively).")
    var candidates: String
    @Option(help: "The run's name (default: the candidates folder's name).")
    var name: String?
    @Option(help: "The run's share against your other runs, 1–100.")
    var priority: Int?
    @Option(
        help: """
            Score weights, e.g. correctness=1 (a part left out weighs 0; default 40/25/15/20 for correctness, \
            quality, efficiency, speed). Parts weighing 0 are not measured: no lint step without quality.
            """)
    var weights: String?
    @Flag(help: "Follow the run's live events until every job is done, then print a summary.")
    var wait = false

    func run() async throws {
        let submission = try readSubmission()
        let logger = CLILogging.logger("crucible.submit")
        let wait = wait
        try await client.withClient(logger: logger) { client in
            let created = try await client.createRun(submission)
            print("run \(created.id): \(created.jobs) jobs submitted")
            fflush(nil)
            guard wait else {
                return
            }
            let progress = RunProgress(total: created.jobs, interactive: Terminal.isInteractive)
            for try await event in client.streamRunEvents(runID: created.id) {
                progress.record(event)
            }
            progress.finish()
            let status = try await client.getRun(id: created.id)
            print(RunProgress.summary(status))
            if status.jobs.errored > 0 || status.jobs.cancelled > 0 {
                throw ExitCode(1)
            }
        }
    }

    func readSubmission() throws -> RunSubmission {
        do {
            let taskSpecs = try JSONFolder.read(tasks, skipping: ["candidates"]) { try TaskFiles.readTask($0) }
            let candidateList = try JSONFolder.read(candidates, skipping: []) { try TaskFiles.readCandidate($0) }
            guard !candidateList.isEmpty else {
                throw ValidationError("--candidates \(candidates): no candidate files (*.json) found")
            }
            var byID: [String: TaskSpec] = [:]
            for task in taskSpecs {
                byID[task.id] = task
            }
            for candidate in candidateList where byID[candidate.taskID] == nil {
                throw ValidationError(
                    "a candidate of \(candidate.model) is for task \(candidate.taskID), which is not in --tasks \(tasks)"
                )
            }
            let used = Set(candidateList.map(\.taskID))
            let submission = RunSubmission(
                name: name ?? URL(fileURLWithPath: candidates).lastPathComponent,
                tasks: taskSpecs.filter { used.contains($0.id) }, candidates: candidateList,
                weights: try weights.map(Self.parseWeights), priority: priority)
            if let issue = submission.validationIssues().first {
                throw ValidationError("the run is not valid: \(issue)")
            }
            return submission
        } catch let error as ToolchainError {
            throw ValidationError("\(error)")
        }
    }
}

extension SubmitCommand {
    /// `correctness=1,quality=0.5` -> a weights map; the run's validation then checks the names and values.
    static func parseWeights(_ text: String) throws -> [String: Double] {
        var weights: [String: Double] = [:]
        for part in text.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, let value = Double(pair[1]) else {
                throw ValidationError(
                    "--weights: \"\(part)\" is not NAME=NUMBER; e.g. --weights correctness=1,quality=0.5")
            }
            weights[pair[0]] = value
        }
        return weights
    }
}

/// Every *.json file under a folder, read and sorted by path, skipping folders with the given names.
enum JSONFolder {
    /// The files are read and decoded on every core (a bank of a few hundred tasks takes a tenth of a second
    /// on one, before anything is sent); the first file in path order that fails is the error.
    static func read<T: Sendable>(
        _ folder: String, skipping: Set<String>, _ load: @escaping @Sendable (String) throws -> T
    ) throws -> [T] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("\(folder) is not a folder")
        }
        guard let walker = FileManager.default.enumerator(atPath: folder) else {
            throw ValidationError("\(folder): cannot be read")
        }
        var paths: [String] = []
        while let relative = walker.nextObject() as? String {
            let components = relative.split(separator: "/").map(String.init)
            if components.dropLast().contains(where: skipping.contains) {
                continue
            }
            if relative.hasSuffix(".json") {
                paths.append(folder + "/" + relative)
            }
        }
        let sorted = paths.sorted()
        var loaded = [Result<T, any Error>?](repeating: nil, count: sorted.count)
        loaded.withUnsafeMutableBufferPointer { slots in
            let slots = SlotsBox(slots)
            DispatchQueue.concurrentPerform(iterations: sorted.count) { index in
                slots.buffer[index] = Result { try load(sorted[index]) }
            }
        }
        return try loaded.map { try ($0 ?? .failure(ValidationError("a file was not read"))).get() }
    }

    /// Each iteration writes only its own slot, so the buffer may be shared between them.
    private struct SlotsBox<Element>: @unchecked Sendable {
        let buffer: UnsafeMutableBufferPointer<Element>
        init(_ buffer: UnsafeMutableBufferPointer<Element>) { self.buffer = buffer }
    }
}

/// Live progress of a run from its events: a redrawn line on a terminal, nothing in a pipe. Several event
/// streams may feed one progress line (the demo follows two runs at once), so its counts sit behind a lock.
final class RunProgress: @unchecked Sendable {
    private let total: Int
    private let interactive: Bool
    private let lock = NSLock()
    private var verdicts: [Verdict: Int] = [:]
    private var errored = 0
    private var lastDraw = Date.distantPast

    init(total: Int, interactive: Bool) {
        self.total = total
        self.interactive = interactive
    }

    func record(_ event: RunEvent) {
        guard case .jobState(let change) = event.payload else {
            return
        }
        lock.lock()
        defer { lock.unlock() }
        switch change.state {
        case .completed:
            if let verdict = change.verdict {
                verdicts[verdict, default: 0] += 1
            }
        case .errored: errored += 1
        default: return
        }
        draw(force: false)
    }

    private var done: Int { verdicts.values.reduce(0, +) + errored }

    /// Called with the lock held.
    private func draw(force: Bool) {
        guard interactive, force || Date().timeIntervalSince(lastDraw) > 0.1 else {
            return
        }
        lastDraw = Date()
        let width = 30
        let filled = total == 0 ? width : width * done / total
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let parts = Verdict.allCases.compactMap { verdict in
            verdicts[verdict].map { "\(verdict.rawValue) \($0)" }
        }
        let line =
            "\r\(bar) \(done)/\(total)  "
            + (parts + (errored > 0 ? ["errored \(errored)"] : [])).joined(separator: " · ")
        FileHandle.standardOutput.write(Data((line + "\u{1B}[K").utf8))
    }

    func finish() {
        lock.withLock { draw(force: true) }
        if interactive {
            print("")
        }
    }

    static func summary(_ status: RunStatus) -> String {
        let jobs = status.jobs
        return "run \(status.id) \(status.state.rawValue): \(jobs.completed) evaluated, \(jobs.errored) errored "
            + "(infrastructure), \(jobs.cancelled) cancelled"
    }
}
