import CrucibleAPI
import Foundation
import Testing

@testable import Toolchains

/// The toolchains' rules for tasks and candidates, as the control plane and `crucible exec` ask them.
struct SubmissionCheckTests {
    let catalog: ToolchainCatalog

    init() throws {
        catalog = try ToolchainCatalog.locate()
    }

    let task = TaskSpec(
        id: "py-x", language: .python, difficulty: .easy, prompt: "p",
        tests: ["test_solution.py": "def test_x():\n    pass\n"], reference: ["solution.py": "x = 1\n"])

    func fields(_ issues: [ValidationIssue]) -> [String?] { issues.map(\.field) }

    @Test func everySampleTaskAndCandidateIsAccepted() throws {
        let bank = try TaskBank.locate()
        var checked = 0
        for language in ToolchainCatalog.languages {
            for path in bank.taskFiles(language: language) {
                let task = try TaskFiles.readTask(path)
                #expect(catalog.issues(task: task, at: .root).isEmpty, "\(path)")
                let models = try FileManager.default.contentsOfDirectory(atPath: bank.directory + "/candidates")
                for model in models {
                    guard let file = bank.candidateFile(model: model, language: language, taskID: task.id) else {
                        continue
                    }
                    let candidate = try TaskFiles.readCandidate(file)
                    #expect(catalog.issues(candidateFiles: candidate.files, task: task, at: .root).isEmpty, "\(file)")
                    checked += 1
                }
            }
        }
        #expect(checked > 40, "the bank's candidates were found")
    }

    @Test func aCandidateMaySupplyOnlyItsLanguagesFilesAndNoneTheToolchainReserves() {
        let files = ["solution.py": "", "helpers.py": "", "conftest.py": "", "notes.txt": "", "pkg/x.py": ""]
        let issues = catalog.issues(candidateFiles: files, task: task, at: FieldPath().field("files"))
        #expect(fields(issues) == [#"files["conftest.py"]"#, #"files["notes.txt"]"#, #"files["pkg/x.py"]"#])
        #expect(issues.allSatisfy { $0.code == .invalidCandidate })
        #expect(issues[0].message.contains("conftest.py is the toolchain's"))
        #expect(issues[1].message.contains("supplies only *.py"))
    }

    @Test func aTestGenerationCandidateSuppliesOnlyTheTests() {
        var tests = task
        tests.scenario = .testGeneration
        tests.files = ["solution.py": "x = 1\n"]
        tests.tests = [:]
        tests.reference = ["test_solution.py": "def test_x():\n    pass\n"]
        #expect(catalog.issues(task: tests, at: .root).isEmpty)
        let issues = catalog.issues(candidateFiles: ["solution.py": ""], task: tests, at: .root)
        #expect(
            issues.map(\.message) == [
                "not a file this task takes: a test-generation candidate supplies only test_solution.py"
            ])
    }

    @Test func aTaskMustShipWhatItsModeNeedsAndNothingReserved() {
        var missing = task
        missing.tests = ["tests.py": ""]
        #expect(fields(catalog.issues(task: missing, at: .root)) == ["tests"])
        #expect(catalog.issues(task: missing, at: .root).first?.message.contains("must ship test_solution.py") == true)

        var reserved = task
        reserved.files = [".crucible/junit.xml": "", "pytest.ini": ""]
        reserved.reference = ["solution.py": "", "sitecustomize.py": ""]
        #expect(
            fields(catalog.issues(task: reserved, at: .root)) == [
                #"files[".crucible/junit.xml"]"#, #"files["pytest.ini"]"#, #"reference["sitecustomize.py"]"#,
            ])

        // A reserved folder's own name, and a reserved file's name as a folder, are reserved too.
        var folders = task
        folders.files = [".crucible": "", "__pycache__/x.pyc": "", "pkg/__pycache__": "", "conftest.py/x": ""]
        #expect(
            fields(catalog.issues(task: folders, at: .root)) == [
                #"files[".crucible"]"#, #"files["__pycache__/x.pyc"]"#, #"files["conftest.py/x"]"#,
            ])
        var go = TaskSpec(
            id: "go-x", language: .go, difficulty: .easy, prompt: "p", tests: ["solution_test.go": ""])
        go.files = ["vendor": "", "go.mod/x": "", "util.go": ""]
        #expect(fields(catalog.issues(task: go, at: .root)) == [#"files["go.mod/x"]"#, #"files["vendor"]"#])

        var noMode = task
        noMode.language = .csharp
        noMode.testMode = .framework
        let issues = catalog.issues(task: noMode, at: FieldPath().field("tasks").index(2))
        #expect(fields(issues) == ["tasks[2].test_mode"])
        #expect(issues.first?.code == .invalidTask)
        #expect(issues.first?.message.contains("use one of io, program") == true)
    }
}
