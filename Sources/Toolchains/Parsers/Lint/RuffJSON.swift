// `ruff check --output-format=json`: an array of {code, message, filename, location: {row,
// column}, …}. Syntax errors have code "invalid-syntax" (older ruff: null). Ruff has no
// severities of its own (its `severity` field is always "error"), so the rule's prefix decides;
// see LintParser for the mapping.

enum RuffJSONLint {
    static func parse(_ output: String, into collector: inout FindingCollector) throws(OutputParseError) {
        let document = try LintJSON.document(output, format: .ruffJSON)
        guard let items = document.array else {
            throw OutputParseError(format: LintFormat.ruffJSON.rawValue, reason: "expected a JSON array of diagnostics")
        }
        for item in items where item.isComplete && item.isObject {
            guard !collector.isFull else { return }
            let code = item["code"]?.string ?? item["name"]?.string ?? "invalid-syntax"
            collector.add(
                rule: code, severity: severity(code), path: item["filename"]?.string ?? "",
                line: item["location"]?["row"]?.int, message: item["message"]?.string ?? "")
        }
    }

    static func severity(_ code: String) -> LintSeverity {
        let letters = String(code.prefix { $0.isLetter })
        switch letters {
        case "F", "PLE": return .error
        case "E":
            if code.hasPrefix("E9") { return .error }
            // E7 are statement checks (== None, bare except, lambda assignment); E74x are naming.
            return code.hasPrefix("E7") && !code.hasPrefix("E74") ? .warning : .info
        case "W": return code.hasPrefix("W6") ? .warning : .info
        case "B", "S", "PLW", "RUF": return .warning
        case "": return .error  // null/unknown code: a syntax error
        default: return code.contains("-") ? .error : .info  // "invalid-syntax" and other named errors
        }
    }
}
