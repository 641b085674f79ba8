import Testing

@testable import Toolchains

@Suite("lint parsers")
struct LintParserTests {
    private func parse(_ format: LintFormat, _ fixture: String, root: String) throws -> [LintFinding] {
        try LintParser.parse(format, output: try ParserFixtures.text(fixture), workspaceRoot: root)
    }

    private func summary(_ findings: [LintFinding]) -> [String] {
        findings.map { "\($0.rule) \($0.severity.rawValue) \($0.path):\($0.line.map(String.init) ?? "-")" }
    }

    @Test("ruff: rules, prefix-based severities, paths relative to the workspace")
    func ruff() throws {
        let findings = try parse(.ruffJSON, "lint/ruff.json", root: "/tmp/work")
        #expect(
            summary(findings) == [
                "F401 error solution.py:1", "F841 error solution.py:6", "E711 warning solution.py:7",
                "S307 warning solution.py:8", "E741 info solution.py:9", "SIM105 info solution.py:10",
                "E722 warning solution.py:12", "S110 warning solution.py:12", "S602 warning solution.py:14",
                "S607 warning solution.py:14",
            ])
        #expect(findings.allSatisfy { $0.tool == "ruff" })
        #expect(findings[0].message == "`os` imported but unused")
        // With the default root the capture directory is outside the workspace: paths stay absolute.
        #expect(
            try LintParser.parse(.ruffJSON, output: try ParserFixtures.text("lint/ruff.json"))[0].path
                == "/tmp/work/solution.py")
    }

    @Test("ruff: syntax errors")
    func ruffSyntax() throws {
        let findings = try parse(.ruffJSON, "lint/ruff-syntax.json", root: "/tmp/work")
        #expect(
            findings == [
                LintFinding(
                    tool: "ruff", rule: "invalid-syntax", severity: .error, path: "broken.py", line: 1,
                    message: "Expected a parameter or the end of the parameter list"),
                LintFinding(
                    tool: "ruff", rule: "invalid-syntax", severity: .error, path: "broken.py", line: 1,
                    message: "Expected `)`, found newline"),
            ])
        #expect(try LintParser.parse(.ruffJSON, output: "[]") == [])
    }

    @Test("ruff: output cut mid-array keeps the complete diagnostics")
    func ruffTruncated() throws {
        let full = try ParserFixtures.text("lint/ruff.json")
        let cut = ParserFixtures.cut(full, before: "\"message\": \"Comparison to `None`")
        #expect(
            summary(try LintParser.parse(.ruffJSON, output: cut, workspaceRoot: "/tmp/work")) == [
                "F401 error solution.py:1", "F841 error solution.py:6",
            ])
    }

    @Test("eslint: config severities, parse errors")
    func eslint() throws {
        let findings = try parse(.eslintJSON, "lint/eslint.json", root: "/tmp/work")
        #expect(
            summary(findings) == [
                "no-var warning solution.js:2", "no-unused-vars warning solution.js:2", "eqeqeq warning solution.js:3",
                "no-eval error solution.js:3", "parse-error error broken.js:2",
            ])
        #expect(findings[3].message == "eval can be harmful.")
        #expect(findings[4].message == "Parsing error: Unexpected token")
        #expect(findings.allSatisfy { $0.tool == "eslint" })
    }

    @Test("go vet -json: packages, analyzers, positions")
    func goVet() throws {
        let findings = try parse(.goVetJSON, "lint/go-vet.json", root: "/tmp/work/gov")
        #expect(
            findings == [
                LintFinding(
                    tool: "go vet", rule: "copylocks", severity: .warning, path: "solution.go", line: 10,
                    message: "Copy passes lock by value: solution.S contains sync.Mutex"),
                LintFinding(
                    tool: "go vet", rule: "copylocks", severity: .warning, path: "solution.go", line: 10,
                    message: "return copies lock value: solution.S contains sync.Mutex"),
                LintFinding(
                    tool: "go vet", rule: "printf", severity: .error, path: "solution.go", line: 13,
                    message: "fmt.Printf format %d has arg \"not an int\" of wrong type string"),
                LintFinding(
                    tool: "go vet", rule: "assign", severity: .warning, path: "solution.go", line: 15,
                    message: "self-assignment of x to x"),
            ])
    }

    @Test("go vet: type errors printed as text, a clean run, garbage")
    func goVetPlain() throws {
        #expect(
            try parse(.goVetJSON, "lint/go-vet-typecheck.txt", root: "/tmp/work/gov2") == [
                LintFinding(
                    tool: "go vet", rule: "typecheck", severity: .error, path: "solution.go", line: 3,
                    message: "undeclared name: foo")
            ])
        #expect(try LintParser.parse(.goVetJSON, output: "# solution\n") == [])
        #expect(try LintParser.parse(.goVetJSON, output: "") == [])
        #expect(throws: OutputParseError.self) {
            try LintParser.parse(.goVetJSON, output: "go: cannot find main module\n")
        }
    }

    @Test("staticcheck: one object a line, family-based severities")
    func staticcheck() throws {
        let findings = try parse(.staticcheckJSON, "lint/staticcheck.json", root: "/tmp/work/gov")
        #expect(
            summary(findings) == [
                "U1000 warning solution.go:8", "SA5009 error solution.go:13", "SA4018 warning solution.go:15",
                "SA9003 warning solution.go:16", "SA4000 warning solution.go:16", "U1000 warning solution.go:21",
            ])
        #expect(findings[1].message == "Printf format %d has arg #1 of wrong type string")
        #expect(StaticcheckJSONLint.severity("ST1005") == .info)
        #expect(StaticcheckJSONLint.severity("S1002") == .info)
        #expect(StaticcheckJSONLint.severity("compile") == .error)
        #expect(throws: OutputParseError.self) {
            try LintParser.parse(.staticcheckJSON, output: "panic: runtime error\n")
        }
    }

    @Test("checkstyle XML: short rule names, its own severities")
    func checkstyle() throws {
        let findings = try parse(.checkstyleXML, "lint/checkstyle.xml", root: "/tmp/work/jv")
        #expect(
            summary(findings) == [
                "AvoidStarImport info Solution.java:1", "HideUtilityClassConstructor info Solution.java:3",
                "LocalVariableName warning Solution.java:4", "NeedBraces info Solution.java:4",
                "OneStatementPerLine warning Solution.java:4", "OneStatementPerLine warning Solution.java:4",
                "ConstantName warning Solution.java:5", "StringLiteralEquality error Solution.java:6",
                "EmptyCatchBlock error Solution.java:6", "OneStatementPerLine warning Solution.java:6",
            ])
        #expect(findings[0].message == "Using the '.*' form of import should be avoided - java.util.*.")
        #expect(findings.allSatisfy { $0.tool == "checkstyle" })
    }

    @Test("checkstyle: truncated report, exceptions, ignore severity, foreign XML")
    func checkstyleEdges() throws {
        let full = try ParserFixtures.text("lint/checkstyle.xml")
        let cut = ParserFixtures.cut(
            full, before: "source=\"com.puppycrawl.tools.checkstyle.checks.naming.LocalVariableNameCheck")
        #expect(
            summary(try LintParser.parse(.checkstyleXML, output: cut, workspaceRoot: "/tmp/work/jv")) == [
                "AvoidStarImport info Solution.java:1", "HideUtilityClassConstructor info Solution.java:3",
            ])
        let report = """
            <checkstyle version="8.36.1"><file name="/work/B.java">
            <error line="1" severity="ignore" message="m" source="x.YCheck"/>
            <exception><![CDATA[java.lang.IllegalStateException: B.java:1:31: unexpected token: {
            \tat com.puppycrawl...]]></exception></file></checkstyle>
            Checkstyle ends with 1 errors.
            """
        #expect(
            try LintParser.parse(.checkstyleXML, output: report) == [
                LintFinding(
                    tool: "checkstyle", rule: "exception", severity: .error, path: "B.java", line: nil,
                    message: "java.lang.IllegalStateException: B.java:1:31: unexpected token: {")
            ])
        #expect(throws: OutputParseError.self) { try LintParser.parse(.checkstyleXML, output: "<testsuites/>") }
    }

    @Test("rubocop: severities, syntax errors")
    func rubocop() throws {
        let findings = try parse(.rubocopJSON, "lint/rubocop.json", root: "/tmp/work/rb")
        #expect(
            summary(findings) == [
                "Lint/UselessAssignment warning solution.rb:2", "Style/IfUnlessModifier info solution.rb:3",
                "Style/NilComparison info solution.rb:3", "Style/EvalWithLocation info solution.rb:3",
                "Layout/EmptyLineAfterGuardClause info solution.rb:3", "Style/RedundantReturn info solution.rb:4",
                "Layout/SpaceAroundOperators info solution.rb:4", "Lint/Syntax error broken.rb:3",
            ])
        #expect(findings[0].message == "Useless assignment to variable - `unused`.")
        #expect(findings[7].message.hasPrefix("unexpected token kEND\n(Using Ruby 3.1 parser"))
        #expect(throws: OutputParseError.self) { try LintParser.parse(.rubocopJSON, output: "[1, 2]") }
    }

    @Test("mcs: warnings and errors, with and without a location")
    func mcs() throws {
        let findings = try parse(.mcsWarnings, "lint/mcs.txt", root: "/tmp/work/cs")
        #expect(
            summary(findings) == [
                "CS1718 warning Solution.cs:11", "CS0168 warning Solution.cs:8", "CS0219 warning Solution.cs:9",
                "CS0168 warning Solution.cs:10", "CS0169 warning Solution.cs:14",
            ])
        #expect(findings[1].message == "The variable `unused' is declared but never used")
        #expect(
            try parse(.mcsWarnings, "lint/mcs-errors.txt", root: "/tmp/work/cs") == [
                LintFinding(
                    tool: "mcs", rule: "CS1525", severity: .error, path: "Broken.cs", line: 1,
                    message: "Unexpected symbol `{'")
            ])
        #expect(
            try LintParser.parse(.mcsWarnings, output: "error CS2001: Source file `x.cs' could not be found\n") == [
                LintFinding(
                    tool: "mcs", rule: "CS2001", severity: .error, path: "", line: nil,
                    message: "Source file `x.cs' could not be found")
            ])
        // A path with parentheses in it.
        #expect(
            try LintParser.parse(
                .mcsWarnings, output: "/work/dir (1)/A.cs(3,1): warning CS0162: Unreachable code detected"
            )
            .first?.path == "dir (1)/A.cs")
        #expect(throws: OutputParseError.self) { try LintParser.parse(.mcsWarnings, output: "Segmentation fault\n") }
    }

    @Test("tsc: code-based severities, message chains")
    func tsc() throws {
        let findings = try parse(.tsc, "lint/tsc.txt", root: "/tmp/work/ts")
        #expect(
            summary(findings) == [
                "TS6133 warning solution.ts:2", "TS6133 warning solution.ts:6", "TS7030 warning solution.ts:6",
                "TS4111 info solution.ts:8", "TS2322 error solution.ts:13", "TS2322 error solution.ts:18",
                "TS7029 warning solution.ts:20",
            ])
        #expect(
            findings[5].message
                == "Type '{ a: { b: number; }; }' is not assignable to type 'Deep'.\n"
                + "The types of 'a.b' are incompatible between these types.\n"
                + "Type 'number' is not assignable to type 'string'.")
        #expect(
            try LintParser.parse(.tsc, output: "error TS5023: Unknown compiler option '--bogus'.\n") == [
                LintFinding(
                    tool: "tsc", rule: "TS5023", severity: .error, path: "", line: nil,
                    message: "Unknown compiler option '--bogus'.")
            ])
        #expect(throws: OutputParseError.self) {
            try LintParser.parse(.tsc, output: "Error: Cannot find module 'typescript'\n")
        }
    }

    @Test("clippy: compiler messages, duplicates across targets, errors")
    func clippy() throws {
        let findings = try parse(.clippyJSON, "lint/clippy.jsonl", root: "/tmp/work/rs")
        #expect(
            summary(findings) == [
                "unused_variables warning src/lib.rs:2", "clippy::eq_op warning src/lib.rs:3",
                "clippy::len_zero warning src/lib.rs:7", "clippy::absurd_extreme_comparisons warning src/lib.rs:16",
                "unused_comparisons warning src/lib.rs:16",
            ])
        #expect(findings[1].message == "equal expressions as operands to `==`")
        let errors = try parse(.clippyJSON, "lint/clippy-error.jsonl", root: "/tmp/work/rs")
        #expect(
            errors.last
                == LintFinding(
                    tool: "clippy", rule: "E0308", severity: .error, path: "src/lib.rs", line: 16,
                    message: "mismatched types"))
        #expect(throws: OutputParseError.self) {
            try LintParser.parse(.clippyJSON, output: "error: could not compile\n")
        }
    }

    @Test("clippy: a span inside a foreign macro is followed to the call site")
    func clippyExpansion() throws {
        let line = """
            {"reason":"compiler-message","message":{"level":"warning","code":{"code":"clippy::x"},"message":"m",\
            "spans":[{"file_name":"/usr/lib/rustlib/src/rust/library/core/src/macros/mod.rs","line_start":9,\
            "column_start":1,"is_primary":true,"expansion":{"span":{"file_name":"/work/src/lib.rs","line_start":4,\
            "column_start":5,"is_primary":false}}}]}}
            """
        #expect(
            try LintParser.parse(.clippyJSON, output: line) == [
                LintFinding(
                    tool: "clippy", rule: "clippy::x", severity: .warning, path: "src/lib.rs", line: 4, message: "m")
            ])
    }

    @Test("JSON formats throw on garbage; blank output is no findings")
    func garbage() throws {
        for format in [LintFormat.ruffJSON, .eslintJSON, .rubocopJSON] {
            let error = #expect(throws: OutputParseError.self) {
                try LintParser.parse(format, output: "Traceback: boom")
            }
            #expect(error?.format == format.rawValue)
            #expect(throws: OutputParseError.self) { try LintParser.parse(format, output: "[{\"a\": tru}]") }
        }
        for format in LintFormat.allCases {
            #expect(try LintParser.parse(format, output: " \n\t") == [])
        }
    }

    @Test("workspace-relative paths")
    func paths() {
        #expect(WorkspacePath.relative("/work/solution.py", root: "/work") == "solution.py")
        #expect(WorkspacePath.relative("/work/a/b.py", root: "/work/") == "a/b.py")
        #expect(WorkspacePath.relative("./solution.go", root: "/work") == "solution.go")
        #expect(WorkspacePath.relative("/workspace/x.py", root: "/work") == "/workspace/x.py")
        #expect(WorkspacePath.relative("/usr/lib/x.rs", root: "/work") == "/usr/lib/x.rs")
        #expect(WorkspacePath.relative("src/lib.rs", root: "/work") == "src/lib.rs")
    }
}
