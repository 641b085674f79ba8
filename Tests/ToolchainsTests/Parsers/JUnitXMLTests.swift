import Testing

@testable import Toolchains

@Suite("junit-xml parser")
struct JUnitXMLTests {
    private func parse(_ fixture: String, naming: JUnitNaming = .name) throws -> [ParsedTest] {
        try TestReportParser.parse(.junitXML, report: try ParserFixtures.text(fixture), naming: naming)
    }

    @Test("pytest: every outcome, names as the toolchain's `name: name` says")
    func pytestMixed() throws {
        let tests = try parse("junit/pytest-mixed.xml")
        #expect(
            tests.map(\.name) == [
                "test_add", "test_add_fails", "test_error", "test_skipped", "test_param[1]", "test_param[a\\nb]",
                "test_param[\\xfcn\\xef]", "test_in_class", "test_fixture_error", "test_xfail",
            ])
        #expect(
            tests.map(\.status) == [
                .passed, .failed, .failed, .skipped, .passed, .passed, .failed, .passed, .error, .skipped,
            ])
        #expect(tests[0].message == nil)
        #expect(tests[0].durationS == 0.001)
        // The message attribute (entities decoded) comes first, then the traceback text.
        let failure = try #require(tests[1].message)
        #expect(failure.hasPrefix("AssertionError: two & two <is> \"four\"\nassert 4 == 5\n +  where 4 = add(2, 2)\n"))
        #expect(failure.contains("test_solution.py:8: in test_add_fails"))
        #expect(failure.hasSuffix("E    +  where 4 = add(2, 2)"))
        // When the text already contains the attribute, the text alone is kept.
        #expect(
            tests[6].message
                == "test_solution.py:19: in test_param\n    assert x != \"ünï\"\n"
                + "E   AssertionError: assert 'ünï' != 'ünï'"
        )
        // Skips keep the short reason rather than the location-laden text.
        #expect(tests[3].message == "not today")
        #expect(tests[9].message == "known")
        #expect(
            tests[8].message?.hasPrefix("failed on setup with \"ValueError: fixture broke\"\ntest_solution.py:27")
                == true)
    }

    @Test("pytest: classname.name naming includes the class")
    func pytestClassnameNaming() throws {
        let tests = try parse("junit/pytest-mixed.xml", naming: .classnameName)
        #expect(tests[0].name == "test_solution.test_add")
        #expect(tests[7].name == "test_solution.TestGroup.test_in_class")
    }

    @Test("pytest: a passing run")
    func pytestPass() throws {
        #expect(
            try parse("junit/pytest-pass.xml") == [
                ParsedTest(name: "test_one", status: .passed, durationS: 0.001, message: nil),
                ParsedTest(name: "test_two", status: .passed, durationS: 0.001, message: nil),
            ])
    }

    @Test("pytest: a collection error is one error named after the module")
    func pytestCollectionError() throws {
        let tests = try parse("junit/pytest-collect-error.xml")
        #expect(tests.count == 1)
        #expect(tests[0].name == "test_solution")
        #expect(tests[0].status == .error)
        #expect(tests[0].message?.hasPrefix("collection failure\nImportError while importing test module") == true)
        #expect(tests[0].message?.hasSuffix("E   ImportError: nope") == true)
    }

    @Test("node:test junit: suite paths, node's double-escaped quotes, todo and skip")
    func nodeMixed() throws {
        let tests = try parse("junit/node-mixed.xml", naming: .suitePath)
        #expect(
            tests.map(\.name) == [
                "adds numbers", "fails \"quoted\" <name> & co", "skipped one", "todo one", "throws",
                "math > nested pass", "math > deeper > nested fail", "parent with subtests > child a",
                "parent with subtests > child b", "multiline name",
            ])
        #expect(
            tests.map(\.status) == [
                .passed, .failed, .skipped, .skipped, .failed, .passed, .failed, .passed, .failed, .passed,
            ])
        #expect(tests[0].durationS == 0.001211)
        #expect(tests[2].message == "not ready")
        #expect(tests[3].message == "TODO: later")
        #expect(
            tests[1].message?.hasPrefix("Expected values to be strictly equal:4 !== 5\n[Error [ERR_TEST_FAILURE]")
                == true)
        #expect(tests[8].message?.hasPrefix("Error [ERR_TEST_FAILURE]: child b failed\n") == true)
    }

    @Test("node:test junit: the quote fix applies to suite-path naming only")
    func nodeNameWithoutSuitePath() throws {
        let tests = try parse("junit/node-mixed.xml", naming: .name)
        #expect(tests[1].name == "fails &quot;quoted&quot; <name> & co")
        #expect(tests[6].name == "nested fail")
        // node's classname is always "test".
        #expect(try parse("junit/node-mixed.xml", naming: .classnameName)[0].name == "test.adds numbers")
    }

    @Test("node:test junit: a cancelled test and a file that fails to load")
    func nodeEdgeCases() throws {
        let edge = try parse("junit/node-edge.xml", naming: .suitePath)
        #expect(edge.map(\.name) == ["parent fails after children > kid ok", "hooked > never runs", "async leak"])
        #expect(edge.map(\.status) == [.passed, .failed, .passed])
        #expect(edge[1].message?.contains("test did not finish before its parent and was cancelled") == true)

        let load = try parse("junit/node-load-error.xml", naming: .suitePath)
        #expect(load.count == 1)
        #expect(load[0].name == "/tmp/pcap/js/broken.test.js")
        #expect(load[0].status == .failed)
    }

    @Test("minitest through crucible_junit.rb")
    func minitest() throws {
        let tests = try parse("junit/minitest-mixed.xml", naming: .classnameName)
        #expect(
            tests.map(\.name) == [
                "TestSolution.test_error", "TestSolution.test_skipped", "TestSolution.test_add_fails",
                "TestSolution.test_add", "TestOther.test_other",
            ])
        #expect(tests.map(\.status) == [.error, .skipped, .failed, .passed, .passed])
        #expect(
            tests[0].message
                == "test_solution.rb:14\nArgumentError: boom\nline2\n    test_solution.rb:14:in `test_error'")
        #expect(tests[2].message == "test_solution.rb:10\ntwo & two <is> \"four\".\nExpected: 5\n  Actual: 4")
        #expect(tests[1].message == "not today")
        #expect(tests[0].durationS == 0.000106)
    }

    @Test("JUnit 5 console launcher: root <testsuite>, CDATA, framework frames collapsed")
    func junit5() throws {
        let tests = try parse("junit/junit5-mixed.xml", naming: .classnameName)
        #expect(
            tests.map(\.name) == [
                "SolutionTest.skipped()", "SolutionTest.addsWrong()", "SolutionTest.adds()", "SolutionTest.named()",
                "SolutionTest$Inner.innerTest()", "SolutionTest.throwsError()", "SolutionTest.param(int)[2]",
                "SolutionTest.param(int)[1]",
            ])
        #expect(tests.map(\.status) == [.skipped, .failed, .passed, .passed, .passed, .error, .failed, .passed])
        #expect(tests[0].message == "not today")
        #expect(
            tests[1].message
                == "org.opentest4j.AssertionFailedError: two & two <is> \"four\" ==> expected: <5> but was: <4>\n"
                + "\t...\n"
                + "\tat SolutionTest.addsWrong(SolutionTest.java:8)\n\t...")
        #expect(
            tests[5].message
                == "java.lang.IllegalStateException: boom\nline2\n"
                + "\tat SolutionTest.throwsError(SolutionTest.java:9)\n\t...")
        #expect(tests[2].durationS == 0.05)
    }

    @Test("a report cut mid-write keeps the test cases that were complete")
    func truncated() throws {
        let full = try ParserFixtures.text("junit/pytest-mixed.xml")
        // Cut inside the failure text of test_error: test_add and test_add_fails are complete.
        let cut = ParserFixtures.cut(full, before: "E   second line")
        let tests = try TestReportParser.parse(.junitXML, report: cut)
        #expect(tests.map(\.name) == ["test_add", "test_add_fails"])
        #expect(tests.map(\.status) == [.passed, .failed])

        // Cut inside a start tag.
        let inTag = ParserFixtures.cut(full, before: "name=\"test_skipped\"")
        #expect(
            try TestReportParser.parse(.junitXML, report: inTag).map(\.name) == [
                "test_add", "test_add_fails", "test_error",
            ])

        // Cut before any test case ended: nothing, but not an error.
        let early = ParserFixtures.cut(full, before: "<testcase")
        #expect(try TestReportParser.parse(.junitXML, report: early) == [])
    }

    @Test("garbage and foreign XML throw, naming the format")
    func garbage() throws {
        #expect(throws: OutputParseError.self) {
            try TestReportParser.parse(.junitXML, report: "Traceback (most recent call last):")
        }
        let error = #expect(throws: OutputParseError.self) {
            try TestReportParser.parse(.junitXML, report: "<html><body>502 Bad Gateway</body></html>")
        }
        #expect(error?.format == "junit-xml")
        #expect(error?.description == "junit-xml: root element <html> is not <testsuites> or <testsuite>")
        #expect(try TestReportParser.parse(.junitXML, report: "  \n") == [])
    }

    @Test("naming from the toolchain file's string; unknown values throw")
    func namingStrings() throws {
        let report = try ParserFixtures.text("junit/minitest-mixed.xml")
        #expect(
            try TestReportParser.parse(.junitXML, report: report, naming: "classname.name")[3].name
                == "TestSolution.test_add")
        #expect(try TestReportParser.parse(.junitXML, report: report, naming: nil as String?)[3].name == "test_add")
        #expect(throws: OutputParseError.self) {
            try TestReportParser.parse(.junitXML, report: report, naming: "fullname")
        }
        // Only junit-xml uses a naming; other formats ignore it.
        #expect(try TestReportParser.parse(.tap, report: "ok 1 - a\n", naming: "fullname").map(\.name) == ["a"])
    }

    @Test("suite-level failures, error beats failure, hostile names")
    func handWritten() throws {
        let report = """
            <?xml version="1.0"?>
            <!DOCTYPE testsuites [ <!ELEMENT testsuites ANY> ]>
            <testsuites>
              <testsuite name="outer">
                <error message="setUpClass failed"/>
                <testcase name="both" time="1,234.5"><failure message="f"/><error message="e">trace</error></testcase>
                <testcase name='single &apos;quoted&apos; &#x41;&#66;' time="-1"/>
                <testcase name="esc&#27;[31mred&#27;[0m&#10;next" time="abc"><skipped/></testcase>
                <!-- <testcase name="commented out"/> -->
                <?pi ignored?>
                <testcase name=""/>
              </testsuite>
            </testsuites>
            """
        let tests = try TestReportParser.parse(.junitXML, report: report, naming: .suitePath)
        #expect(
            tests == [
                ParsedTest(name: "outer", status: .error, durationS: nil, message: "setUpClass failed"),
                ParsedTest(name: "outer > both", status: .error, durationS: 1234.5, message: "e\ntrace"),
                ParsedTest(name: "outer > single 'quoted' AB", status: .passed, durationS: nil, message: nil),
                ParsedTest(name: "outer > escred next", status: .skipped, durationS: nil, message: nil),
                ParsedTest(name: "(unnamed)", status: .passed, durationS: nil, message: nil),
            ])
    }

    @Test("message size and test count are capped")
    func caps() throws {
        let huge = String(repeating: "x", count: 100_000)
        var report = "<testsuite><testcase name=\"big\"><failure message=\"\(huge)\">\(huge)y</failure></testcase>"
        for i in 0..<(ParserLimits.maxTests + 50) { report += "<testcase name=\"t\(i)\"/>" }
        report += "</testsuite>"
        let tests = try TestReportParser.parse(.junitXML, report: report)
        #expect(tests.count == ParserLimits.maxTests)
        let message = try #require(tests[0].message)
        #expect(message.utf8.count <= ParserLimits.maxMessageBytes)
        #expect(message.hasSuffix("… [truncated]"))
    }
}
