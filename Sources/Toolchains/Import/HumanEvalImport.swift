import CrucibleAPI
import Foundation

/// `crucible tasks import humaneval`: the HumanEval format (one JSON object a line: task_id, prompt,
/// canonical_solution, test, entry_point) into Python tasks of DESIGN.md's format.
///
/// The candidate completes `prompt` into solution.py; the hidden test file imports it and calls the
/// problem's own `check(candidate)`; the reference is the prompt plus the canonical solution.
public enum HumanEvalImport {
    public struct Record: Decodable, Sendable {
        public var taskID: String
        public var prompt: String
        public var canonicalSolution: String
        public var test: String
        public var entryPoint: String

        enum CodingKeys: String, CodingKey {
            case prompt, test
            case taskID = "task_id"
            case canonicalSolution = "canonical_solution"
            case entryPoint = "entry_point"
        }
    }

    /// Parses the JSON lines; a bad line is an error naming its line number and field.
    public static func records(fromJSONLines text: String) throws -> [Record] {
        var records: [Record] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            do {
                records.append(try JSONDecoder().decode(Record.self, from: Data(trimmed.utf8)))
            } catch DecodingError.keyNotFound(let key, _) {
                throw ToolchainError.invalidInput(field: "line \(index + 1)", message: "missing \"\(key.stringValue)\"")
            } catch {
                throw ToolchainError.invalidInput(field: "line \(index + 1)", message: "not a HumanEval record (\(error))")
            }
        }
        guard !records.isEmpty else { throw ToolchainError.invalidInput(field: "file", message: "no records") }
        return records
    }

    /// One task per record. Ids become `humaneval-<n>` (HumanEval/0 -> humaneval-0).
    public static func task(_ record: Record) throws -> TaskSpec {
        let number = record.taskID.split(separator: "/").last.map(String.init) ?? record.taskID
        let id = "humaneval-" + number.filter { $0.isLetter || $0.isNumber || $0 == "-" }
        guard record.entryPoint.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }), !record.entryPoint.isEmpty else {
            throw ToolchainError.invalidInput(field: "\(record.taskID).entry_point", message: "not a Python identifier")
        }
        let test = """
            from solution import *  # noqa: F403
            from solution import \(record.entryPoint)

            \(record.test)

            def test_\(record.entryPoint)():
                check(\(record.entryPoint))

            """
        return TaskSpec(
            id: id, language: .python, scenario: .codeGeneration, difficulty: .medium,
            prompt: "Complete the function in solution.py:\n\n" + record.prompt,
            files: ["solution.py": record.prompt], tests: ["test_solution.py": test], testMode: .framework,
            reference: ["solution.py": record.prompt + record.canonicalSolution],
            limits: TaskLimits(cpuTimeS: 10, wallTimeS: 10))
    }

    /// Reads a .jsonl or .jsonl.gz file (gzip through the system's `gzip`, present on every Debian).
    public static func read(path: String) throws -> String {
        if path.hasSuffix(".gz") {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/gzip")
            process.arguments = ["-dc", path]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            do { try process.run() } catch {
                throw ToolchainError.invalidInput(field: path, message: "cannot run gzip to read it: \(error)")
            }
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw ToolchainError.invalidInput(field: path, message: "not a readable gzip file")
            }
            return String(decoding: data, as: UTF8.self)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ToolchainError.invalidInput(field: path, message: "cannot read the file; check the path")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
