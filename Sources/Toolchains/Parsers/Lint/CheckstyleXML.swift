// checkstyle `-f xml`: <checkstyle><file name="…"><error line column severity message
// source="…checks.naming.ConstantNameCheck"/></file></checkstyle>. The rule is the check's
// short name ("ConstantName"); severity is checkstyle's own (info, warning, error; "ignore" is
// dropped). An <exception> inside <file> (a file checkstyle could not parse) is an error.

enum CheckstyleXMLLint {
    static func parse(_ output: String, into collector: inout FindingCollector) throws(OutputParseError) {
        let format = LintFormat.checkstyleXML.rawValue
        let document = try XMLLiteReader.parse(output, format: format)
        guard let root = document.root else {
            if XMLLiteReader.looksLikeXML(output) { return }  // cut before the root element was complete
            throw OutputParseError(format: format, reason: "no XML element found")
        }
        guard document.elements[root].name == "checkstyle" else {
            throw OutputParseError(
                format: format,
                reason: "root element <\(ParserText.name(document.elements[root].name))> is not <checkstyle>")
        }
        for fileIndex in document.children(of: root, named: "file") {
            let file = document.elements[fileIndex]
            let path = file.attribute("name") ?? ""
            for childIndex in file.children {
                guard !collector.isFull else { return }
                let child = document.elements[childIndex]
                switch child.name {
                case "error":
                    // A truncated report may end inside a tag; only complete findings count.
                    guard child.closed else { continue }
                    let severity: LintSeverity
                    switch child.attribute("severity") {
                    case "error": severity = .error
                    case "warning": severity = .warning
                    case "ignore": continue
                    default: severity = .info
                    }
                    collector.add(
                        rule: rule(child.attribute("source") ?? ""), severity: severity, path: path,
                        line: child.attribute("line").flatMap { ParserText.int($0) },
                        message: child.attribute("message") ?? "")
                case "exception":
                    let first = ParserText.lines(String(ParserText.trimmed(child.text))).first ?? ""
                    collector.add(rule: "exception", severity: .error, path: path, line: nil, message: String(first))
                default:
                    continue
                }
            }
        }
    }

    /// "com.puppycrawl.tools.checkstyle.checks.naming.ConstantNameCheck" -> "ConstantName".
    static func rule(_ source: String) -> String {
        var name = Substring(source.split(separator: ".").last ?? "")
        if name.hasSuffix("Check"), name.count > 5 { name = name.dropLast(5) }
        return name.isEmpty ? "checkstyle" : String(name)
    }
}
