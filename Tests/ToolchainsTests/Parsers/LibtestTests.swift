import Testing

@testable import Toolchains

@Suite("libtest parser")
struct LibtestTests {
    private func parse(_ fixture: String) throws -> [ParsedTest] {
        try TestReportParser.parse(.libtest, report: try ParserFixtures.text(fixture))
    }

    @Test("ok, FAILED, ignored, should_panic; failure sections become messages")
    func mixed() throws {
        let tests = try parse("libtest/mixed.stdout")
        #expect(
            tests.map(\.name) == [
                "adds", "adds_wrong", "ignored_one", "nested::inner", "panics_with_message", "should_panic_but_doesnt",
            ])
        #expect(tests.map(\.status) == [.passed, .failed, .skipped, .passed, .failed, .failed])
        #expect(tests.allSatisfy { $0.durationS == nil })
        #expect(
            tests[1].message
                == "captured stdout line\nthread 'main' panicked at 'assertion failed: `(left == right)`\n"
                + "  left: `4`,\n"
                + " right: `5`: two and two', tests/solution_test.rs:9:5\n"
                + "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace")
        #expect(tests[4].message == "thread 'main' panicked at 'boom\nsecond line', tests/solution_test.rs:17:28")
        #expect(tests[5].message == "note: test did not panic as expected")
        #expect(tests[0].message == nil)
        #expect(tests[2].message == nil)
    }

    @Test("a passing run with an ignore reason")
    func pass() throws {
        #expect(
            try parse("libtest/pass.stdout") == [
                ParsedTest(name: "first", status: .passed),
                ParsedTest(name: "ignored_with_reason", status: .skipped, message: "slow on CI"),
                ParsedTest(name: "second", status: .passed),
            ])
    }

    @Test("a test that aborts the process is an error; stderr, when given, explains it")
    func abort() throws {
        let stdout = try ParserFixtures.text("libtest/abort.stdout")
        let tests = try TestReportParser.parse(.libtest, report: stdout)
        #expect(tests.map(\.name) == ["first", "ignored_with_reason", "never_runs", "overflows"])
        #expect(tests.map(\.status) == [.passed, .skipped, .passed, .error])
        #expect(tests[3].message == "did not finish (the test process ended before its result)")

        let both = stdout + "\n" + (try ParserFixtures.text("libtest/abort.stderr"))
        let combined = try TestReportParser.parse(.libtest, report: both)
        let message = try #require(combined.last?.message)
        #expect(message.hasPrefix("did not finish (the test process ended before its result)\n"))
        #expect(message.contains("thread 'main' has overflowed its stack\nfatal runtime error: stack overflow"))
        #expect(!message.contains("Compiling solution"))
    }

    @Test("the unstable JSON event form")
    func json() throws {
        let tests = try parse("libtest/mixed.json")
        #expect(
            tests.map(\.name) == [
                "adds", "adds_wrong", "ignored_one", "nested::inner", "panics_with_message", "should_panic_but_doesnt",
            ])
        #expect(tests.map(\.status) == [.passed, .failed, .skipped, .passed, .failed, .failed])
        #expect(tests[0].durationS == 0.000000701)
        #expect(tests[5].message == "test did not panic as expected")
        #expect(tests[4].message == "thread 'main' panicked at 'boom\nsecond line', tests/solution_test.rs:17:28")
    }

    @Test("JSON cut mid-run: the started test did not finish")
    func jsonTruncated() throws {
        let full = try ParserFixtures.text("libtest/mixed.json")
        let cut = ParserFixtures.cut(
            full, before: "{ \"type\": \"test\", \"name\": \"ignored_one\", \"event\": \"ignored\" }")
        let tests = try TestReportParser.parse(.libtest, report: cut)
        #expect(tests.map(\.name) == ["adds", "adds_wrong", "ignored_one"])
        #expect(tests.map(\.status) == [.passed, .failed, .error])
    }

    @Test("output cut in a failure section keeps the results already printed")
    func truncatedPlain() throws {
        let full = try ParserFixtures.text("libtest/mixed.stdout")
        let cut = ParserFixtures.cut(full, before: "test nested::inner")
        let tests = try TestReportParser.parse(.libtest, report: cut)
        #expect(tests.map(\.status) == [.passed, .failed, .skipped])
        // A result line cut in half: "test nested::inn" has no " ... ", so it is no test.
        let half = ParserFixtures.cut(full, before: "er ... ok")
        #expect(try TestReportParser.parse(.libtest, report: half).count == 3)
    }

    @Test("result on its own line after uncaptured output; failures list rescues a lost result")
    func interleaved() throws {
        let output = """
            running 3 tests
            test printer ... hello from the test
            ok
            test lost ... garbage
            test third ... ok

            failures:

            ---- lost stdout ----
            it broke

            failures:
                lost

            test result: FAILED. 2 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s
            """
        #expect(
            try TestReportParser.parse(.libtest, report: output) == [
                ParsedTest(name: "printer", status: .passed),
                ParsedTest(name: "lost", status: .failed, message: "it broke"),
                ParsedTest(name: "third", status: .passed),
            ])
    }

    @Test("compiler errors or random text are not libtest output")
    func garbage() throws {
        let error = #expect(throws: OutputParseError.self) {
            try TestReportParser.parse(.libtest, report: "error[E0308]: mismatched types\n --> src/lib.rs:2:5\n")
        }
        #expect(error?.format == "libtest")
        #expect(try TestReportParser.parse(.libtest, report: "\n\n") == [])
        #expect(
            try TestReportParser.parse(.libtest, report: "\nrunning 0 tests\n\ntest result: ok. 0 passed; 0 failed")
                == [])
    }
}
