import CrucibleAPI

/// Bridges the parsers (Parsers/) to the job result's types, and keeps messages short.
enum ReportReading {
    /// Per-test results from a runner's report; an unknown or unreadable report gives none (the
    /// caller then falls back to the exit code where the toolchain says so).
    static func tests(format: String, report: String, naming: String?) -> [TestResult] {
        guard let format = TestReportFormat(rawValue: format), !report.isEmpty,
            let parsed = try? TestReportParser.parse(format, report: report, naming: naming)
        else { return [] }
        return parsed
    }

    /// Findings from a linter's output, limited to the candidate's files when `only` is given.
    static func findings(format: String, output: String, tool: String, only: Set<String>?) -> [Finding] {
        guard let format = LintFormat(rawValue: format), let parsed = try? LintParser.parse(format, output: output)
        else { return [] }
        return parsed.compactMap { finding in
            if let only, !only.contains(finding.path) { return nil }
            return Finding(
                tool: finding.tool, rule: finding.rule,
                severity: FindingSeverity(rawValue: finding.severity.rawValue) ?? .warning, path: finding.path,
                line: finding.line, message: finding.message)
        }
    }

    /// The end of a long output, where the error usually is.
    static func tail(_ text: String, limit: Int = 2000) -> String {
        guard text.utf8.count > limit else { return text }
        return "…" + String(decoding: Array(text.utf8).suffix(limit), as: UTF8.self)
    }
}
