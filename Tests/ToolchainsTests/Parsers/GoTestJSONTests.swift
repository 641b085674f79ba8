import Testing

@testable import Toolchains

@Suite("go-test-json parser")
struct GoTestJSONTests {
    private func parse(_ fixture: String) throws -> [ParsedTest] {
        try TestReportParser.parse(.goTestJSON, report: try ParserFixtures.text(fixture))
    }

    @Test("pass, fail, skip and subtests; parents that only failed through a subtest are left out")
    func mixed() throws {
        let tests = try parse("gotest/mixed.jsonl")
        #expect(
            tests.map(\.name) == [
                "TestAdd", "TestAddFails", "TestSkip", "TestTable/one_plus_one", "TestTable/bad_\"case\"", "TestLog",
            ])
        #expect(tests.map(\.status) == [.passed, .failed, .skipped, .passed, .failed, .passed])
        #expect(tests[0].message == nil)
        #expect(tests[0].durationS == 0)
        #expect(tests[5].message == nil)  // t.Log output of a passing test is not a message
        #expect(tests[2].message == "solution_test.go:17: not today")
        let failure = try #require(tests[1].message)
        #expect(failure.hasPrefix("some stdout from the test\n    solution_test.go:14: \n"))
        #expect(failure.contains("\texpected: 5\n"))
        #expect(failure.hasSuffix("\tMessages:   \ttwo and two"))
        #expect(!failure.contains("=== RUN") && !failure.contains("--- FAIL"))
        #expect(tests[4].message?.contains("\tactual  : 2") == true)
    }

    @Test("a passing run")
    func pass() throws {
        let tests = try parse("gotest/pass.jsonl")
        #expect(tests.map(\.status) == [.passed, .passed, .skipped, .passed, .passed, .passed])
        #expect(tests.map(\.name)[4] == "TestTable/good")
    }

    @Test("a panicking test fails with the panic; tests after it never appear")
    func panic() throws {
        let tests = try parse("gotest/panic.jsonl")
        #expect(tests.map(\.name) == ["TestFirst", "TestPanics"])
        #expect(tests.map(\.status) == [.passed, .failed])
        #expect(tests[1].durationS == 0.007)
        #expect(tests[1].message?.hasPrefix("panic: assignment to entry in nil map [recovered]\n") == true)
    }

    @Test("a test timeout is the running test's failure")
    func timeout() throws {
        let tests = try parse("gotest/timeout.jsonl")
        #expect(tests.map(\.status) == [.passed, .failed])
        #expect(tests[1].name == "TestSlow")
        #expect(tests[1].message?.hasPrefix("panic: test timed out after 1s") == true)
    }

    @Test("os.Exit inside a test")
    func osExit() throws {
        #expect(
            try parse("gotest/os-exit.jsonl") == [
                ParsedTest(name: "TestFirst", status: .passed, durationS: 0, message: nil),
                ParsedTest(name: "TestExits", status: .failed, durationS: 0.002, message: "bye"),
            ])
    }

    @Test("a package-level failure (panic in init) is one error entry")
    func initPanic() throws {
        let tests = try parse("gotest/init-panic.jsonl")
        #expect(tests.count == 1)
        #expect(tests[0].name == "solution")
        #expect(tests[0].status == .error)
        #expect(
            tests[0].message
                == "panic: init exploded\n\ngoroutine 1 [running]:\nsolution.init.0()\n"
                + "\t/tmp/pcap/go/solution_test.go:7 +0x4e")
    }

    @Test("killed mid-run: finished tests kept, the running one is an error")
    func killed() throws {
        let tests = try parse("gotest/killed.jsonl")
        #expect(tests.map(\.name) == ["TestFirst", "TestHangs"])
        #expect(tests.map(\.status) == [.passed, .error])
        #expect(
            tests[1].message == "did not finish (the run ended before its result)\nsolution_test.go:11: about to hang")
    }

    @Test("a line cut in half is ignored, the rest still counts")
    func truncatedLine() throws {
        let full = try ParserFixtures.text("gotest/mixed.jsonl")
        let cut = ParserFixtures.cut(full, before: "\"Elapsed\":0}\n{\"Time\":\"2026-11-23T17:02:48.602381987Z\"")
        let tests = try TestReportParser.parse(.goTestJSON, report: cut)
        // TestAdd's pass event is cut: it did not finish as far as the report knows.
        #expect(
            tests == [
                ParsedTest(
                    name: "TestAdd", status: .error, durationS: nil,
                    message: "did not finish (the run ended before its result)")
            ])
    }

    @Test("a parent failing on its own account is reported; nested subtests")
    func parentOwnFailure() throws {
        let report = """
            {"Action":"run","Package":"p","Test":"TestP"}
            {"Action":"run","Package":"p","Test":"TestP/a"}
            {"Action":"run","Package":"p","Test":"TestP/a/deep"}
            {"Action":"pass","Package":"p","Test":"TestP/a/deep","Elapsed":0.5}
            {"Action":"pass","Package":"p","Test":"TestP/a","Elapsed":0.5}
            {"Action":"output","Package":"p","Test":"TestP","Output":"    p_test.go:9: parent broke\\n"}
            {"Action":"fail","Package":"p","Test":"TestP","Elapsed":1}
            not json at all
            {"Action":"fail","Package":"p","Elapsed":1}
            """
        #expect(
            try TestReportParser.parse(.goTestJSON, report: report) == [
                ParsedTest(name: "TestP", status: .failed, durationS: 1, message: "p_test.go:9: parent broke"),
                ParsedTest(name: "TestP/a/deep", status: .passed, durationS: 0.5, message: nil),
            ])
    }

    @Test("garbage throws; empty output is no tests")
    func garbage() throws {
        let error = #expect(throws: OutputParseError.self) {
            try TestReportParser.parse(.goTestJSON, report: "# solution\n./solution.go:3:1: syntax error\n")
        }
        #expect(error?.format == "go-test-json")
        #expect(throws: OutputParseError.self) {
            try TestReportParser.parse(.goTestJSON, report: "{\"no\":\"action\"}")
        }
        #expect(try TestReportParser.parse(.goTestJSON, report: "") == [])
    }
}
