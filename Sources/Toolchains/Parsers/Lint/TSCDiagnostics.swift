// tsc with --pretty false: "file.ts(2,9): error TS6133: message", continuation lines of a
// message chain indented below it, and global diagnostics without a location. tsc reports
// everything as "error"; the code decides the severity (see LintParser). Output with no
// diagnostic line throws.

enum TSCLint {
    static let unused: Set<String> = ["TS6133", "TS6138", "TS6192", "TS6196", "TS6198", "TS6199", "TS6205"]
    static let flow: Set<String> = ["TS7027", "TS7028", "TS7029", "TS7030"]
    static let style: Set<String> = ["TS4111", "TS4113", "TS4114", "TS4115", "TS4116"]

    static func parse(_ output: String, into collector: inout FindingCollector) throws(OutputParseError) {
        var current: CompilerDiagnostic?
        var recognised = false

        func flush(_ collector: inout FindingCollector) {
            guard let diagnostic = current else { return }
            collector.add(
                rule: diagnostic.code, severity: severity(diagnostic), path: diagnostic.path, line: diagnostic.line,
                message: diagnostic.message)
            current = nil
        }

        for line in ParserText.lines(output) {
            if ParserText.hasPrefix(line, " "), var diagnostic = current {
                // "  The types of 'a.b' are incompatible…": part of the message above.
                diagnostic.message += "\n" + ParserText.trimmed(line)
                if diagnostic.message.utf8.count > ParserLimits.maxMessageBytes * 2 { continue }
                current = diagnostic
                continue
            }
            flush(&collector)
            guard !collector.isFull else { return }
            if let diagnostic = CompilerDiagnostic.parse(ParserText.trimmed(line), codePrefix: "TS") {
                recognised = true
                current = diagnostic
            }
        }
        flush(&collector)
        if !recognised {
            throw OutputParseError(format: LintFormat.tsc.rawValue, reason: "no tsc diagnostic line found")
        }
    }

    static func severity(_ diagnostic: CompilerDiagnostic) -> LintSeverity {
        switch diagnostic.category {
        case "warning": return .warning
        case "error": break
        default: return .info
        }
        if unused.contains(diagnostic.code) || flow.contains(diagnostic.code) { return .warning }
        if style.contains(diagnostic.code) { return .info }
        return .error
    }
}
