import Foundation
import Testing

@testable import CrucibleAPI

@Suite("Task validation")
struct TaskValidationTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let field: String
        let code: ErrorCode
        let change: @Sendable (inout TaskSpec) -> Void

        init(
            _ name: String, _ field: String, _ code: ErrorCode = .invalidTask,
            _ change: @escaping @Sendable (inout TaskSpec) -> Void
        ) {
            self.name = name
            self.field = field
            self.code = code
            self.change = change
        }

        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case("empty id", "id") { $0.id = "" },
        Case("id with a slash", "id") { $0.id = "a/b" },
        Case("id with a space", "id") { $0.id = "a b" },
        Case("id starting with a dot", "id") { $0.id = ".hidden" },
        Case("id too long", "id") { $0.id = String(repeating: "x", count: 129) },
        Case("empty prompt", "prompt") { $0.prompt = "  \n" },
        Case("prompt too large", "prompt", .tooLarge) { $0.prompt = String(repeating: "p", count: 256 * 1024 + 1) },
        Case("file escaping the workspace", #"files["../x"]"#) { $0.files["../x"] = "" },
        Case("absolute test path", #"tests["/tmp/t.py"]"#) { $0.tests["/tmp/t.py"] = "" },
        Case("reference with NUL", #"reference["a\u0000"]"#) { $0.reference = ["a\u{0}": ""] },
        Case("file too large", #"files["solution.py"]"#, .tooLarge) {
            $0.files["solution.py"] = String(repeating: "x", count: 1024 * 1024 + 1)
        },
        Case("framework without tests", "tests") { $0.tests = [:] },
        Case("io without cases", "io_cases") { $0.testMode = .io },
        Case("io cases in framework mode", "io_cases") { $0.ioCases = [IOCase(stdin: "", expectedStdout: "")] },
        Case("negative io weight", "io_cases[1].weight") {
            $0.testMode = .io
            $0.ioCases = [IOCase(stdin: "", expectedStdout: ""), IOCase(stdin: "", expectedStdout: "", weight: -1)]
        },
        Case("infinite io weight", "io_cases[0].weight") {
            $0.testMode = .io
            $0.ioCases = [IOCase(stdin: "", expectedStdout: "", weight: .infinity)]
        },
        Case("io weights all zero", "io_cases") {
            $0.testMode = .io
            $0.ioCases = [IOCase(stdin: "", expectedStdout: "", weight: 0)]
        },
        Case("zero wall time", "limits.wall_time_s") { $0.limits.wallTimeS = 0 },
        Case("negative cpu time", "limits.cpu_time_s") { $0.limits.cpuTimeS = -1 },
        Case("wall time over the cap", "limits.wall_time_s") { $0.limits.wallTimeS = 3601 },
        Case("zero memory", "limits.memory_bytes") { $0.limits.memoryBytes = 0 },
        Case("negative pids", "limits.pids") { $0.limits.pids = -4 },
        Case("zero output", "limits.output_bytes") { $0.limits.outputBytes = 0 },
        Case("zero file size", "limits.file_size_bytes") { $0.limits.fileSizeBytes = 0 },
        Case("program mode without any file", "tests") {
            $0.testMode = .program
            $0.files = [:]
            $0.tests = [:]
        },
    ]

    @Test(arguments: cases)
    func badTask(_ testCase: Case) {
        var task = Samples.task
        testCase.change(&task)
        let issues = task.validationIssues()
        #expect(issues.count == 1, "\(issues)")
        #expect(issues.first?.field == testCase.field)
        #expect(issues.first?.code == testCase.code)
        #expect(issues.first?.message.isEmpty == false)
    }

    @Test func goodTasks() throws {
        #expect(Samples.task.validationIssues().isEmpty)
        #expect(Samples.ioTask.validationIssues().isEmpty)
        let java = TaskSpec(
            id: "java-add", language: .java, difficulty: .easy, prompt: "add", files: ["Solution.java": ""],
            tests: ["Main.java": ""])
        #expect(java.testMode == .program)
        try java.validate()
    }

    @Test func messagesSayWhatToDo() {
        var task = Samples.task
        task.tests = [:]
        task.language = .rust
        let message = task.validationIssues().first?.message ?? ""
        #expect(message.contains("tests/solution_test.rs"))
    }

    @Test func everyProblemIsReported() throws {
        var task = Samples.task
        task.id = ""
        task.prompt = ""
        task.files = ["/abs": "", "a//b": ""]
        task.limits.wallTimeS = -1
        let error = try #require(throws: CrucibleAPIError.self) { try task.validate() }
        #expect(
            error.issues.map(\.field) == ["id", "prompt", #"files["/abs"]"#, #"files["a//b"]"#, "limits.wall_time_s"])
        #expect(error.first.field == "id")
        #expect(error.httpStatus == 400)
        #expect(error.description.split(separator: "\n").count == 5)
    }

    @Test func capsAreParameters() {
        var limits = ValidationLimits()
        limits.maxTimeSeconds = 5
        var task = Samples.task
        task.limits.wallTimeS = 6
        task.limits.cpuTimeS = 5
        #expect(task.validationIssues(limits: limits).map(\.field) == ["limits.wall_time_s"])
    }

    @Test func taskUploadPaths() throws {
        let single = try CrucibleJSON.decode(
            TaskUpload.self,
            from: Data(
                #"""
                {"id": "", "language": "go", "scenario": "security", "difficulty": "hard", "prompt": "p",
                 "tests": {"solution_test.go": ""}}
                """#.utf8))
        #expect(single.isSingleTask)
        #expect(single.validationIssues().map(\.field) == ["id"])
        let bulk = TaskUpload(tasks: [Samples.task, Samples.task])
        #expect(bulk.validationIssues().map(\.field) == ["tasks[1].id"])
        #expect(bulk.validationIssues().map(\.code) == [.duplicateID])
        // Both a repeated id and a bad field: the bad field is what a server answers with (400, not 409).
        var broken = Samples.task
        broken.prompt = ""
        let both = try #require(
            CrucibleAPIError(TaskUpload(tasks: [Samples.task, Samples.task, broken]).validationIssues()))
        #expect(both.issues.map(\.code) == [.duplicateID, .invalidTask, .duplicateID])
        #expect(both.httpStatus == 400)
        #expect(both.first.field == "tasks[2].prompt")
        #expect(TaskUpload(tasks: []).validationIssues().map(\.field) == ["tasks"])
        try expectRoundTrip(TaskUpload.self, #"{"tasks": []}"#)
    }
}
