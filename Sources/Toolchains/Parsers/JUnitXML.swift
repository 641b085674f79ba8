// JUnit XML (pytest, node:test's junit reporter, the JUnit 5 console launcher, Crucible's
// minitest reporter). <testsuites>/<testsuite> (nested suites allowed; node puts <testcase>
// straight under <testsuites>) holding <testcase> with an optional <failure>, <error> or
// <skipped> child. The worst child wins: error, then failure, then skipped.
//
// Names follow the toolchain's `name:` key (JUnitNaming). Durations come from `time` (seconds).
// Messages join the child's `message` attribute and its text, without repeating one inside
// the other. A <failure>/<error> directly under a <testsuite> (a suite-level failure) becomes an
// entry named after the suite. A truncated report keeps the test cases whose end tag was read.

/// How a JUnit <testcase> becomes a test name (the toolchain file's `name:` key).
public enum JUnitNaming: String, Sendable, CaseIterable {
    /// The `name` attribute alone (pytest: "test_add", "test_param[1]").
    case name
    /// "classname.name" (JUnit 5: "SolutionTest.adds()", minitest: "TestSolution.test_add");
    /// just the name when classname is empty.
    case classnameName = "classname.name"
    /// Enclosing <testsuite> names and the case name joined by " > " (node:test:
    /// "math > deeper > nested fail"). Node's junit reporter escapes `"` twice, so "&quot;"
    /// left in a name after XML decoding is read as `"` in this mode.
    case suitePath = "suite-path"
}

enum JUnitXMLReportParser {
    static let format = "junit-xml"
    static let pathSeparator = " > "

    static func parse(_ report: String, naming: JUnitNaming) throws(OutputParseError) -> [ParsedTest] {
        let document = try XMLLiteReader.parse(report, format: format)
        guard let root = document.root else {
            // "<?xml …" or "<testsu" with nothing after: cut before the first element ended.
            if XMLLiteReader.looksLikeXML(report) { return [] }
            throw OutputParseError(format: format, reason: "no XML element found")
        }
        let rootName = document.elements[root].name
        guard rootName == "testsuites" || rootName == "testsuite" else {
            throw OutputParseError(
                format: format, reason: "root element <\(ParserText.name(rootName))> is not <testsuites> or <testsuite>"
            )
        }
        var walker = Walker(document: document, naming: naming)
        walker.visit(root, suites: [])
        return walker.collector.tests
    }

    private struct Walker {
        let document: XMLLiteDocument
        let naming: JUnitNaming
        var collector = TestCollector()

        mutating func visit(_ index: Int, suites: [String]) {
            let element = document.elements[index]
            var path = suites
            if element.name == "testsuite" {
                path.append(element.attribute("name") ?? "")
            }
            for child in element.children {
                guard !collector.isFull else { return }
                let node = document.elements[child]
                switch node.name {
                case "testsuite":
                    visit(child, suites: path)
                case "testcase":
                    if node.closed { testCase(node, suites: path) }
                case "failure", "error":
                    // Suite-level failure (e.g. a setup error some reporters hang on the suite).
                    if element.name == "testsuite", node.closed {
                        let name = naming == .suitePath ? joined(path) : (element.attribute("name") ?? "")
                        collector.add(
                            name: fixName(name), status: node.name == "error" ? .error : .failed,
                            message: message(node))
                    }
                default:
                    continue
                }
            }
        }

        mutating func testCase(_ node: XMLLiteElement, suites: [String]) {
            var name = node.attribute("name") ?? ""
            let classname = node.attribute("classname") ?? ""
            if ParserText.isBlank(name) {
                // pytest names a collection error after the module, in `name` or `classname`.
                name = [classname, node.attribute("file") ?? ""].first { !ParserText.isBlank($0) } ?? ""
            } else {
                switch naming {
                case .name: break
                case .classnameName: if !ParserText.isBlank(classname) { name = classname + "." + name }
                case .suitePath: name = joined(suites + [name])
                }
            }
            var status = ParsedTestStatus.passed
            var outcome: XMLLiteElement?
            for child in node.children {
                let element = document.elements[child]
                let rank: ParsedTestStatus?
                switch element.name {
                case "error": rank = .error
                case "failure": rank = .failed
                case "skipped": rank = .skipped
                default: rank = nil
                }
                guard let rank, severity(rank) > severity(status) else { continue }
                status = rank
                outcome = element
            }
            var text = outcome.flatMap { message($0, preferAttribute: status == .skipped) }
            if status == .skipped, outcome?.attribute("type") == "todo" {
                text = "TODO" + (text.map { ": " + $0 } ?? "")  // node:test's todo tests, as the TAP parser says
            }
            collector.add(
                name: fixName(name), status: status, durationS: seconds(node.attribute("time")),
                message: text)
        }

        func severity(_ status: ParsedTestStatus) -> Int {
            switch status {
            case .passed: return 0
            case .skipped: return 1
            case .failed: return 2
            case .error: return 3
            }
        }

        func joined(_ parts: [String]) -> String {
            parts.filter { !ParserText.isBlank($0) }.joined(separator: JUnitXMLReportParser.pathSeparator)
        }

        func fixName(_ name: String) -> String {
            guard naming == .suitePath, name.contains("&quot;") else { return name }
            return ParserText.replacingAll("&quot;", with: "\"", in: name)
        }

        /// The `message` attribute and the element's text, each once. Skips prefer the short
        /// reason in the attribute over the location-laden text.
        func message(_ element: XMLLiteElement, preferAttribute: Bool = false) -> String? {
            // Both are capped first: the result is capped anyway, and it bounds the search below.
            let limit = ParserLimits.maxMessageBytes
            let attribute = ParserText.cap(String(ParserText.trimmed(element.attribute("message") ?? "")), bytes: limit)
            let text = ParserText.cap(
                JUnitXMLReportParser.collapseFrameworkFrames(String(ParserText.trimmed(element.text))), bytes: limit)
            if attribute.isEmpty { return text.isEmpty ? nil : text }
            if text.isEmpty || preferAttribute { return attribute }
            if JUnitXMLReportParser.containsWord(attribute, in: text) { return text }
            if JUnitXMLReportParser.containsWord(text, in: attribute) { return attribute }
            return attribute + "\n" + text
        }
    }

    /// True when `needle` occurs in `haystack` not glued to letters or digits on either side:
    /// "boom" repeats "java.lang.Error: boom", but "e" does not repeat "trace".
    static func containsWord(_ needle: String, in haystack: String) -> Bool {
        guard !needle.isEmpty else { return false }
        let bytes = Array(haystack.utf8)
        func isWordByte(_ index: Int) -> Bool {
            guard index >= 0, index < bytes.count else { return false }
            let b = bytes[index]
            return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b >= 0x80
        }
        let whole = Substring(haystack)
        var rest = whole
        while let range = ParserText.firstRange(of: needle, in: rest) {
            let start = whole.utf8.distance(from: whole.startIndex, to: range.lowerBound)
            let end = whole.utf8.distance(from: whole.startIndex, to: range.upperBound)
            let gluedBefore = isWordByte(start - 1) && isWordByte(start)
            let gluedAfter = isWordByte(end) && isWordByte(end - 1)
            if !gluedBefore, !gluedAfter { return true }
            rest = whole[whole.utf8.index(after: range.lowerBound)...]
        }
        return false
    }

    /// Stack frames of the test framework and the JDK say nothing about the candidate's code and
    /// would fill the capped message: runs of them become one "\t..." line.
    static func collapseFrameworkFrames(_ message: String) -> String {
        guard ParserText.firstRange(of: "\tat ", in: Substring(message)) != nil else { return message }
        let noise = [
            "org.junit.", "org.opentest4j.", "java.base/", "jdk.internal.", "sun.reflect.", "java.lang.reflect.",
        ]
        var kept: [Substring] = []
        var skipping = false
        for line in ParserText.lines(message) {
            let frame = ParserText.trimmed(line)
            if frame.hasPrefix("at "), noise.contains(where: { frame.dropFirst(3).hasPrefix($0) }) {
                if !skipping { kept.append("\t...") }
                skipping = true
            } else {
                kept.append(line)
                skipping = false
            }
        }
        return kept.joined(separator: "\n")
    }

    /// `time` in seconds; some writers use thousands separators ("1,234.5").
    static func seconds(_ raw: String?) -> Double? {
        guard let raw else { return nil }
        let cleaned = String(ParserText.trimmed(raw)).filter { $0 != "," }
        guard !cleaned.isEmpty, cleaned.utf8.count <= 32, let value = Double(cleaned), value.isFinite, value >= 0
        else { return nil }
        return value
    }
}
