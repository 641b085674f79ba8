import Foundation
import Testing

@testable import Toolchains

@Suite("parser support: XML reader, lenient JSON, text, models")
struct ParserSupportTests {
    @Test("XML: attributes in both quote styles, entities, CDATA, comments, PIs, self-closing tags")
    func xmlBasics() throws {
        let text = """
            \u{FEFF}<?xml version="1.0"?><!-- lead --><root a="1 &lt; 2" b='it&apos;s' c=bare d>
            x &amp; y<![CDATA[<raw> & ]]>&#233;&#x1F600;&bogus;&#0;&#xD800;<?pi?><!-- c --><leaf/>tail</root>
            """
        let document = try XMLLiteReader.parse(text, format: "test")
        let root = try #require(document.root)
        let element = document.elements[root]
        #expect(element.name == "root")
        #expect(element.attributes == ["a": "1 < 2", "b": "it's", "c": "bare", "d": ""])
        #expect(element.text == "\nx & y<raw> & é😀&bogus;\u{FFFD}\u{FFFD}tail")
        #expect(element.closed)
        #expect(element.children.map { document.elements[$0].name } == ["leaf"])
        #expect(document.elements[element.children[0]].closed)
    }

    @Test("XML: unclosed elements are kept but marked; a cut start tag is dropped")
    func xmlTruncated() throws {
        let document = try XMLLiteReader.parse("<a><b>done</b><c>half<d x=\"1", format: "test")
        let names = document.elements.map(\.name)
        #expect(names == ["a", "b", "c"])
        #expect(document.elements.map(\.closed) == [false, true, false])
        #expect(document.elements[2].text == "half")
    }

    @Test("XML: mismatched end tags close the nearest match; stray '<' is text")
    func xmlForgiving() throws {
        let document = try XMLLiteReader.parse("<a><b><c></b>1 < 2</x></a>", format: "test")
        #expect(document.elements.map(\.closed) == [true, true, true])
        #expect(document.elements[0].text == "1 < 2")
    }

    @Test("XML: nesting beyond the limit throws instead of recursing")
    func xmlDepth() {
        let deep = String(repeating: "<a>", count: ParserLimits.maxDepth + 10)
        #expect(throws: OutputParseError.self) { try XMLLiteReader.parse(deep, format: "test") }
    }

    @Test("JSON: values, escapes, surrogate pairs")
    func jsonBasics() throws {
        let value = try #require(
            try LenientJSON.parse(
                #"{"a": [1, -2.5e3, true, false, null], "s": "q\"\\\/\n\u00e9\ud83d\ude00\ud800x"}"#, format: "t"))
        #expect(value["a"] == .array([.number(1), .number(-2500), .bool(true), .bool(false), .null], complete: true))
        #expect(value["s"]?.string == "q\"\\/\né😀\u{FFFD}x")
        #expect(value.isComplete)
    }

    @Test("JSON: truncation marks containers incomplete and drops the cut value")
    func jsonTruncated() throws {
        let value = try #require(try LenientJSON.parse(#"[{"a": 1}, {"b": 2, "c": "unfini"#, format: "t"))
        guard case .array(let items, let complete) = value else {
            Issue.record("not an array")
            return
        }
        #expect(!complete)
        #expect(items.count == 2)
        #expect(items[0] == .object(["a": .number(1)], complete: true))
        #expect(items[1] == .object(["b": .number(2)], complete: false))
        // A number at the very end may be cut short: it is not trusted.
        #expect(try LenientJSON.parse(#"{"n": 12"#, format: "t") == .object([:], complete: false))
    }

    @Test("JSON: malformed input and deep nesting throw")
    func jsonMalformed() {
        #expect(throws: OutputParseError.self) { try LenientJSON.parse("[1, @]", format: "t") }
        #expect(throws: OutputParseError.self) { try LenientJSON.parse("{\"a\" 1}", format: "t") }
        #expect(throws: OutputParseError.self) { try LenientJSON.parse("\"raw\nnewline\"", format: "t") }
        #expect(throws: OutputParseError.self) {
            try LenientJSON.parse(String(repeating: "[", count: 100_000), format: "t")
        }
    }

    @Test("JSON objects between text lines")
    func jsonObjects() {
        let text = "# pkg\n{\"a\": 1}\nnoise {\"x\": 2}\n{\"b\":\n  2}\n{broken\n{\"c\": 3} trailing\n"
        let objects = LenientJSON.objects(in: text, limit: 100)
        #expect(objects.map { $0["a"] ?? $0["b"] ?? $0["c"] } == [.number(1), .number(2), .number(3)])
    }

    @Test("text: names lose control characters and escapes; messages keep lines; caps hold")
    func text() {
        #expect(ParserText.name("  a\u{1B}[1;31mb\u{1B}]0;title\u{07}c\td\ne\u{0}f\u{85}g  ") == "abc d e fg")
        #expect(ParserText.message("\n  line1\r\nline2\rline3\u{1B}[0m\t!  \n") == "line1\nline2\nline3\t!")
        #expect(ParserText.message(" \n ") == nil)
        let capped = ParserText.cap(String(repeating: "é", count: 5000), bytes: 100)
        #expect(capped.utf8.count <= 100)
        #expect(capped.hasSuffix("… [truncated]"))
        #expect(capped.hasPrefix("éé"))
        #expect(ParserText.lines("a\r\nb\n\nc") == ["a", "b", "", "c"])
    }

    @Test("models encode the job result's JSON keys, nulls included")
    func codable() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let test = ParsedTest(name: "t", status: .skipped, durationS: nil, message: nil)
        #expect(
            String(decoding: try encoder.encode(test), as: UTF8.self)
                == #"{"duration_s":null,"message":null,"name":"t","status":"skipped"}"#)
        let finding = LintFinding(tool: "ruff", rule: "F401", severity: .error, path: "a.py", line: 3, message: "m")
        #expect(
            String(decoding: try encoder.encode(finding), as: UTF8.self)
                == #"{"line":3,"message":"m","path":"a.py","rule":"F401","severity":"error","tool":"ruff"}"#)
        let decoded = try JSONDecoder().decode(
            ParsedTest.self, from: Data(#"{"name":"x","status":"error","duration_s":0.5}"#.utf8))
        #expect(decoded == ParsedTest(name: "x", status: .error, durationS: 0.5, message: nil))
        #expect(ParsedTestStatus.allCases.map(\.rawValue) == ["passed", "failed", "error", "skipped"])
        #expect(LintSeverity.allCases.map(\.rawValue) == ["error", "warning", "info"])
    }

    @Test("format names match the toolchain files")
    func formatNames() throws {
        #expect(
            TestReportFormat.allCases.map(\.rawValue) == [
                "junit-xml", "go-test-json", "tap", "libtest", "exit-code", "io",
            ])
        #expect(
            LintFormat.allCases.map(\.rawValue) == [
                "ruff-json", "eslint-json", "go-vet-json", "staticcheck-json", "checkstyle-xml", "rubocop-json",
                "mcs-warnings", "tsc", "clippy-json",
            ])
        #expect(
            LintFormat.allCases.map(\.tool) == [
                "ruff", "eslint", "go vet", "staticcheck", "checkstyle", "rubocop", "mcs", "tsc", "clippy",
            ])
        #expect(JUnitNaming.allCases.map(\.rawValue) == ["name", "classname.name", "suite-path"])
        // exit-code and io leave the verdict to the caller.
        #expect(try TestReportParser.parse(.exitCode, report: "ok 1 - looks like TAP") == [])
        #expect(try TestReportParser.parse(.io, report: "<testsuite/>") == [])
    }

    @Test("byte input: invalid UTF-8 is replaced, not fatal")
    func bytes() throws {
        var report = Array("ok 1 - caf".utf8)
        report += [0xC3, 0x28, 0xFF]
        report += Array(" bar\n".utf8)
        let tests = try TestReportParser.parse(.tap, report: report)
        #expect(tests == [ParsedTest(name: "caf\u{FFFD}(\u{FFFD} bar", status: .passed)])
        let findings = try LintParser.parse(.tsc, output: Array("a.ts(1,2): error TS1005: ';' expected\u{FF}".utf8))
        #expect(findings.first?.rule == "TS1005")
    }
}
