import Testing

@testable import Toolchains

@Suite("tap parser")
struct TAPTests {
    private func parse(_ fixture: String) throws -> [ParsedTest] {
        try TestReportParser.parse(.tap, report: try ParserFixtures.text(fixture))
    }

    @Test("node:test TAP: nesting, YAML diagnostics, SKIP and TODO, escaped names")
    func nodeDirect() throws {
        let tests = try parse("tap/node-direct.tap")
        #expect(
            tests.map(\.name) == [
                "adds numbers", "fails \"quoted\" <name> & co", "skipped one", "todo one", "throws",
                "math > nested pass", "math > deeper > nested fail", "parent with subtests > child a",
                "parent with subtests > child b", "multi\\nline name",
            ])
        #expect(
            tests.map(\.status) == [
                .passed, .failed, .skipped, .skipped, .failed, .passed, .failed, .passed, .failed, .passed,
            ])
        #expect(tests[1].message == "Expected values to be strictly equal:\n\n4 !== 5")
        #expect(tests[4].message == "boom\nline2")
        #expect(tests[8].message == "child b failed")
        #expect(tests[2].message == "not ready")
        #expect(tests[3].message == "TODO: later")
        #expect(
            tests[6].message
                == "Expected values to be strictly deep-equal:\n+ actual - expected\n\n  [\n    1,\n+   2\n-   3\n  ]")
        let duration = try #require(tests[0].durationS)
        #expect(abs(duration - 0.00133856) < 1e-12)
        #expect(tests[0].message == nil)
    }

    @Test("node:test TAP: a parent failing on its own, a failed before-hook")
    func nodeEdge() throws {
        let tests = try parse("tap/node-edge.tap")
        #expect(
            tests.map(\.name) == [
                "parent fails after children > kid ok", "parent fails after children", "hooked > never runs", "hooked",
                "async leak",
            ])
        #expect(tests.map(\.status) == [.passed, .failed, .failed, .failed, .passed])
        #expect(tests[1].message == "parent broke")
        #expect(tests[3].message == "before hook broke")
    }

    @Test("killed while a test hangs: finished tests kept, the announced one is an error")
    func nodeKilled() throws {
        let tests = try parse("tap/node-killed.tap")
        #expect(tests.map(\.name) == ["quick", "group > inner ok", "group"])
        #expect(tests.map(\.status) == [.passed, .passed, .error])
        #expect(tests[2].message == "did not finish (the output ends before its result)")
    }

    @Test("node --test on a file that cannot load: one failed test named after the file")
    func nodeLoadError() throws {
        let tests = try parse("tap/node-load-error.tap")
        #expect(tests.count == 1)
        #expect(tests[0].name == "/tmp/pcap/js/broken.test.js")
        #expect(tests[0].status == .failed)
        #expect(tests[0].message == "test failed")
    }

    @Test("hand-printed TAP between other output (program mode)")
    func pythonProgram() throws {
        #expect(
            try parse("tap/python-program.tap") == [
                ParsedTest(name: "add small", status: .passed),
                ParsedTest(name: "add # hash", status: .failed, message: "expected 4 == 5"),
                ParsedTest(name: "negatives", status: .passed),
                ParsedTest(name: "unicode ünï 名前", status: .skipped, message: "no locale"),
                ParsedTest(name: "flaky thing", status: .skipped, message: "TODO: fix later"),
            ])
    }

    @Test("Bail out! stops the run and is reported")
    func bailOut() throws {
        #expect(
            try parse("tap/bail-out.tap") == [
                ParsedTest(name: "first", status: .passed),
                ParsedTest(name: "Bail out!", status: .error, message: "database unavailable"),
            ])
    }

    @Test("TAP 14 subtests without headers")
    func tap14() throws {
        #expect(
            try parse("tap/tap14-subtests.tap") == [
                ParsedTest(name: "parent > child one", status: .passed),
                ParsedTest(name: "parent > child two", status: .failed, message: "child two broke"),
                ParsedTest(name: "sibling", status: .skipped),
            ])
    }

    @Test("output cut inside a YAML block keeps the point with what was read")
    func truncatedYAML() throws {
        let full = try ParserFixtures.text("tap/node-direct.tap")
        let cut = ParserFixtures.cut(full, before: "  code: 'ERR_ASSERTION'\n  name: 'AssertionError'\n  expected: 5")
        let tests = try TestReportParser.parse(.tap, report: cut)
        #expect(tests.map(\.name) == ["adds numbers", "fails \"quoted\" <name> & co"])
        #expect(tests[1].message == "Expected values to be strictly equal:\n\n4 !== 5")
    }

    @Test("lines that only look like TAP are not tests; no TAP at all is no tests")
    func notTAP() throws {
        let output = "okay\nokra 1 - x\nnot okay\n  # Subtest nothing\nthe result: ok\n"
        #expect(try TestReportParser.parse(.tap, report: output) == [])
        #expect(try TestReportParser.parse(.tap, report: "") == [])
        #expect(
            try TestReportParser.parse(.tap, report: "ok\nnot ok 7\nok 8 -\n") == [
                ParsedTest(name: "(unnamed)", status: .passed), ParsedTest(name: "test 7", status: .failed),
                ParsedTest(name: "test 8", status: .passed),
            ])
    }

    @Test("hostile names: escapes, control characters, backslashes")
    func hostileNames() throws {
        let output = "ok 1 - \u{1B}[32mgreen\u{1B}[0m \\\\ back\\#slash\u{07}bell\nnot ok 2 - trailing \\\n"
        #expect(
            try TestReportParser.parse(.tap, report: output) == [
                ParsedTest(name: "green \\ back#slash bell", status: .passed),
                ParsedTest(name: "trailing \\", status: .failed),
            ])
    }

    @Test("YAML scalars: quoted, folded, duration")
    func yamlScalars() throws {
        let output = """
            not ok 1 - single
              ---
              duration_ms: 1500
              error: 'it''s broken'
              ...
            not ok 2 - double
              ---
              message: "line\\none \\"q\\""
              ...
            not ok 3 - folded
              ---
              error: >-
                folded
                text
              ...
            """
        #expect(
            try TestReportParser.parse(.tap, report: output) == [
                ParsedTest(name: "single", status: .failed, durationS: 1.5, message: "it's broken"),
                ParsedTest(name: "double", status: .failed, message: "line\none \"q\""),
                ParsedTest(name: "folded", status: .failed, message: "folded text"),
            ])
    }
}
