import Testing

@testable import CrucibleAPI

@Suite("File paths and file maps")
struct FilePathRulesTests {
    @Test(arguments: [
        "solution.py", "src/lib.rs", "tests/solution_test.rs", "a/b/c/d.txt", ".eslintrc", "dir.with.dots/x_y-z.go",
        "naïve/ünïcode.py",
    ])
    func acceptedPaths(_ path: String) {
        #expect(FilePathRules.problems(path: path, limits: .default).isEmpty)
    }

    @Test(arguments: [
        ("", "empty"),
        ("/etc/passwd", "absolute"),
        ("../x", "\"..\""),
        ("a/../../x", "\"..\""),
        ("..", "\"..\""),
        ("./a", "\".\" component"),
        ("a//b", "empty component"),
        ("a/", "empty component"),
        ("a\u{0}b", "NUL"),
        ("a\nb", "control character"),
        ("a\\b", "'\\'"),
        ("bad\u{FFFD}.py", "not valid UTF-8"),
        ("-rf", "starts with '-'"),
        ("a/--help", "starts with '-'"),
        (String(repeating: "a", count: 257), "257 bytes"),
    ])
    func rejectedPaths(_ path: String, _ expected: String) {
        let problems = FilePathRules.problems(path: path, limits: .default)
        #expect(problems.contains { $0.contains(expected) }, "\(problems)")
    }

    @Test func pathCapIsAParameter() {
        var limits = ValidationLimits()
        limits.maxPathBytes = 8
        #expect(!FilePathRules.problems(path: "abcdefghi", limits: limits).isEmpty)
        #expect(FilePathRules.problems(path: "abcdefgh", limits: limits).isEmpty)
    }

    @Test func mapIssuesNameTheFile() {
        var limits = ValidationLimits()
        limits.maxFileBytes = 4
        limits.maxTotalFileBytes = 6
        limits.maxFilesPerMap = 2
        let root = FieldPath.root.field("files")
        let issues = FilePathRules.issues(
            files: ["ok": "1234", "big": "12345", "../up": ""], at: root, code: .invalidCandidate, limits: limits)
        let byField = Dictionary(grouping: issues, by: { $0.field ?? "" })
        #expect(byField[#"files["big"]"#]?.first?.code == .tooLarge)
        #expect(byField[#"files["../up"]"#]?.first?.code == .invalidCandidate)
        // Too many files and too many bytes are reported on the map itself.
        #expect(byField["files"]?.count == 2)
        #expect(byField["files"]?.allSatisfy { $0.code == .tooLarge } == true)
    }

    @Test func fileAndDirectoryClash() {
        let issues = FilePathRules.issues(
            files: ["src": "x", "src/lib.rs": "y"], at: FieldPath.root.field("files"), code: .invalidTask,
            limits: .default)
        #expect(issues.map(\.field) == [#"files["src"]"#])
        #expect(issues.first?.message.contains("both a file and the directory") == true)
    }
}
