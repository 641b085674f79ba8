// Mono's C# compiler: "path(line,col): warning CS0168: message" and "… error CS1525: …";
// diagnostics without a location ("error CS2001: …") have an empty path. Summary lines
// ("Compilation succeeded - 5 warning(s)") and anything else are skipped. Output with no
// diagnostic and no summary throws.

enum MCSWarningsLint {
    static func parse(_ output: String, into collector: inout FindingCollector) throws(OutputParseError) {
        var recognised = false
        for line in ParserText.lines(output) {
            let trimmed = ParserText.trimmed(line)
            if trimmed.hasPrefix("Compilation succeeded") || trimmed.hasPrefix("Compilation failed") {
                recognised = true
                continue
            }
            guard let diagnostic = CompilerDiagnostic.parse(trimmed, codePrefix: "CS") else { continue }
            recognised = true
            guard !collector.isFull else { return }
            collector.add(
                rule: diagnostic.code, severity: diagnostic.category == "error" ? .error : .warning,
                path: diagnostic.path, line: diagnostic.line, message: diagnostic.message)
        }
        if !recognised {
            throw OutputParseError(format: LintFormat.mcsWarnings.rawValue, reason: "no mcs diagnostic line found")
        }
    }
}

/// "path(line,col): category CODE: message" or "category CODE: message", as mcs and tsc print
/// them. Parsed by hand from the category keyword, so a path with parentheses still works.
struct CompilerDiagnostic: Sendable {
    var path: String
    var line: Int?
    var category: String
    var code: String
    var message: String

    static let categories = ["error", "warning", "message", "suggestion", "info"]

    static func parse(_ text: Substring, codePrefix: String) -> CompilerDiagnostic? {
        // Cheap rejection first: most lines of a noisy output are not diagnostics.
        guard ParserText.firstRange(of: " " + codePrefix, in: text) != nil else { return nil }
        for category in categories {
            let bare = category + " " + codePrefix
            var location: Substring = ""
            var rest: Substring
            if let range = ParserText.firstRange(of: "): " + bare, in: text) {
                location = text[text.startIndex..<text.utf8.index(after: range.lowerBound)]
                rest = text[text.utf8.index(range.upperBound, offsetBy: -codePrefix.utf8.count)...]
            } else if text.hasPrefix(bare) {
                rest = text.dropFirst(category.count + 1)
            } else {
                continue
            }
            // rest: "CS0168: message"
            guard let colon = rest.utf8.firstIndex(of: UInt8(ascii: ":")) else { continue }
            let code = rest[rest.startIndex..<colon]
            guard code.count > codePrefix.count, code.dropFirst(codePrefix.count).allSatisfy(\.isNumber) else {
                continue
            }
            let message = ParserText.trimmed(rest[rest.utf8.index(after: colon)...])
            var path = ""
            var line: Int?
            if !location.isEmpty, let open = location.utf8.lastIndex(of: UInt8(ascii: "(")) {
                path = String(location[location.startIndex..<open])
                let numbers = location[location.utf8.index(after: open)...].dropLast()
                line = numbers.split(separator: ",").first.flatMap { ParserText.int($0) }
            }
            return CompilerDiagnostic(
                path: path, line: line, category: category, code: String(code), message: String(message))
        }
        return nil
    }
}
