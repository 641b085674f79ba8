import CrucibleAPI
import Foundation
import Logging

/// The efficiency baseline: CPU seconds of each task's reference solution's test step, measured on this
/// node (same machine, same toolchains) once per task.
///
/// Keyed by a hash of the task's JSON, so an edited task (other tests, other limits) is measured again. Kept
/// in memory and under the spool directory, so a restarted agent does not measure again either. Two jobs of
/// one task running at once measure once: the second waits for the first's measurement.
actor ReferenceTimes {
    /// What a measurement found.
    enum Measurement: Sendable {
        /// The reference passed; its test step took this many CPU seconds.
        case measured(Double)
        /// The reference did not pass here: there is no baseline for this task (remembered, not retried).
        case noBaseline
        /// Could not tell (node trouble, cancelled): not remembered, the next job tries again.
        case unknown
    }

    private let directory: String?
    private let logger: Logger
    private var known: [String: Double?] = [:]
    private var waiting: [String: [CheckedContinuation<Double?, Never>]] = [:]

    init(directory: String?, logger: Logger) {
        self.directory = directory
        self.logger = logger
        if let directory {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
    }

    /// The baseline for `task`, measuring it with `measure` unless it is known or being measured.
    func cpuTime(for task: TaskSpec, measure: @Sendable () async -> Measurement) async -> Double? {
        let key = Self.key(for: task)
        if let value = known[key] ?? loadFromDisk(key) {
            return value
        }
        if waiting[key] != nil {
            return await withCheckedContinuation { waiting[key, default: []].append($0) }
        }
        waiting[key] = []
        let measurement = await measure()
        let value: Double?
        switch measurement {
        case .measured(let seconds):
            value = seconds
            store(seconds, key: key, taskID: task.id)
        case .noBaseline:
            value = nil
            known[key] = .some(nil)
        case .unknown:
            value = nil
        }
        for waiter in waiting.removeValue(forKey: key) ?? [] { waiter.resume(returning: value) }
        return value
    }

    /// Records a measurement made another way (a job whose candidate is the reference).
    func record(_ seconds: Double, for task: TaskSpec) {
        let key = Self.key(for: task)
        guard known[key] == nil else { return }
        store(seconds, key: key, taskID: task.id)
    }

    private func store(_ seconds: Double, key: String, taskID: String) {
        known[key] = seconds
        guard let directory else { return }
        let record = StoredTime(taskID: taskID, cpuTimeS: seconds, measuredAt: Date())
        do {
            try CompletionSpool.writeAtomically(try CrucibleJSON.encode(record), to: directory + "/" + key + ".json")
        } catch {
            logger.warning(
                "cannot keep the reference time on disk", metadata: ["task": "\(taskID)", "error": "\(error)"])
        }
    }

    private func loadFromDisk(_ key: String) -> Double?? {
        guard let directory, let data = FileManager.default.contents(atPath: directory + "/" + key + ".json"),
            let record = try? CrucibleJSON.decode(StoredTime.self, from: data), record.cpuTimeS.isFinite,
            record.cpuTimeS >= 0
        else { return nil }
        known[key] = record.cpuTimeS
        return .some(record.cpuTimeS)
    }

    struct StoredTime: Codable {
        var taskID: String
        var cpuTimeS: Double
        var measuredAt: Date

        enum CodingKeys: String, CodingKey {
            case taskID = "task_id"
            case cpuTimeS = "cpu_time_s"
            case measuredAt = "measured_at"
        }
    }

    /// The task's id (readable) and a 64-bit FNV-1a hash of its canonical JSON (sorted keys): the same task
    /// always maps to the same key, an edited one to another. Not a security boundary, so no need for a
    /// cryptographic hash; the id in the key keeps accidental collisions to one task's versions.
    static func key(for task: TaskSpec) -> String {
        let data = (try? CrucibleJSON.encode(task)) ?? Data(task.id.utf8)
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        // Over the raw bytes: Data's own iterator cost more than the encoding (0.2 ms a job under `crucible up`).
        data.withUnsafeBytes { bytes in
            for byte in bytes {
                hash ^= UInt64(byte)
                hash &*= 0x0000_0100_0000_01b3
            }
        }
        let hex = String(hash, radix: 16)
        return CompletionSpool.safeName(task.id) + "-" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// CPU seconds of a result's test step (summed: an io-mode task runs the program once per case).
    static func testCPUTime(_ result: JobResult) -> Double? {
        let tests = result.steps.filter { $0.name == .test }
        guard !tests.isEmpty else { return nil }
        return tests.reduce(0) { $0 + $1.cpuTimeS }
    }
}
