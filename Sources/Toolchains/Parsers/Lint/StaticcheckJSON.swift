// `staticcheck -f json`: one object a line, {code, severity, location: {file, line, column},
// message}. Its `severity` is "error" for nearly everything, so the check's family decides;
// see LintParser for the mapping.

enum StaticcheckJSONLint {
    static func parse(_ output: String, into collector: inout FindingCollector) throws(OutputParseError) {
        let objects = LenientJSON.objects(in: output, limit: ParserLimits.maxFindings)
        guard !objects.isEmpty else {
            throw OutputParseError(format: LintFormat.staticcheckJSON.rawValue, reason: "no JSON diagnostic found")
        }
        for object in objects where object.isComplete {
            guard !collector.isFull else { return }
            guard let code = object["code"]?.string else { continue }
            if object["severity"]?.string == "ignored" { continue }
            collector.add(
                rule: code, severity: severity(code), path: object["location"]?["file"]?.string ?? "",
                line: object["location"]?["line"]?.int, message: object["message"]?.string ?? "")
        }
    }

    static func severity(_ code: String) -> LintSeverity {
        if code == "compile" { return .error }
        if code.hasPrefix("SA") {
            let family = code.dropFirst(2).first
            return family == "4" || family == "6" || family == "9" ? .warning : .error
        }
        if code.hasPrefix("U1") { return .warning }
        return .info  // S, ST, QF
    }
}
