import CrucibleAPI
import Foundation

/// Reading tasks and candidates from JSON files, with errors that name the file and the field.
public enum TaskFiles {
    public static func readTask(_ path: String) throws -> TaskSpec {
        let task = try decode(TaskSpec.self, path: path)
        try check(task.validationIssues(), path: path)
        return task
    }

    public static func readCandidate(_ path: String) throws -> Candidate {
        let candidate = try decode(Candidate.self, path: path)
        try check(candidate.validationIssues(), path: path)
        return candidate
    }

    /// What a sample candidate is expected to get (`"expect": {"verdict": …}`), if it says.
    public static func expectedVerdict(_ path: String) -> Verdict? {
        guard let data = FileManager.default.contents(atPath: path),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let expect = object["expect"] as? [String: Any], let verdict = expect["verdict"] as? String
        else { return nil }
        return Verdict(rawValue: verdict)
    }

    private static func decode<T: Decodable>(_ type: T.Type, path: String) throws -> T {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ToolchainError.invalidInput(field: path, message: "cannot read the file; check the path")
        }
        do {
            return try CrucibleJSON.decode(T.self, from: data)
        } catch {
            throw ToolchainError.invalidInput(field: path, message: "\(error)")
        }
    }

    private static func check(_ issues: [ValidationIssue], path: String) throws {
        guard let first = issues.first else { return }
        throw ToolchainError.invalidInput(field: "\(path): \(first.field ?? "(body)")", message: first.message)
    }
}

/// The sample task bank (`tasks/`): tasks by language, and sample candidates by model.
public struct TaskBank: Sendable {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// CRUCIBLE_TASKS, ./tasks, or the source tree next to a development build.
    public static func locate() throws -> TaskBank {
        let candidates = ProjectDirectory.candidates(named: "tasks", environment: "CRUCIBLE_TASKS")
        for candidate in candidates where FileManager.default.fileExists(atPath: candidate + "/candidates") {
            return TaskBank(directory: candidate)
        }
        throw ToolchainError.notFound(
            "no task bank found (looked in \(candidates.joined(separator: ", "))); set CRUCIBLE_TASKS")
    }

    public func taskFiles(language: String) -> [String] {
        let folder = directory + "/" + language
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".json") }
            .sorted().map { folder + "/" + $0 }
    }

    /// tasks/candidates/<model>/<language>/<task id>.json, when it exists.
    public func candidateFile(model: String, language: String, taskID: String) -> String? {
        let path = "\(directory)/candidates/\(model)/\(language)/\(taskID).json"
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }
}
