/// A toolchain step's `result.parser`.
public enum TestReportFormat: String, Sendable, CaseIterable {
    case junitXML = "junit-xml"
    case goTestJSON = "go-test-json"
    case tap
    case libtest
    /// The exit code alone decides; there is nothing to parse.
    case exitCode = "exit-code"
    /// Output is compared with expected output by the caller; there is nothing to parse.
    case io
}

/// Turns a test runner's report into per-test results. See ParserModels.swift for the rules all
/// parsers share and each format's file for its details.
public enum TestReportParser {
    /// `naming` applies to junit-xml only. `exit-code` and `io` return [] (the caller decides
    /// from the exit code or the compared output).
    public static func parse(
        _ format: TestReportFormat, report: String, naming: JUnitNaming = .name
    ) throws(OutputParseError) -> [ParsedTest] {
        switch format {
        case .junitXML:
            if ParserText.isBlank(report) { return [] }
            return try JUnitXMLReportParser.parse(report, naming: naming)
        case .goTestJSON: return try GoTestJSONReportParser.parse(report)
        case .tap: return TAPReportParser.parse(report)
        case .libtest: return try LibtestReportParser.parse(report)
        case .exitCode, .io: return []
        }
    }

    /// As above with the toolchain file's `name:` value; nil means `.name`. An unknown value
    /// throws for junit-xml (the only format that uses it).
    public static func parse(
        _ format: TestReportFormat, report: String, naming: String?
    ) throws(OutputParseError) -> [ParsedTest] {
        var resolved = JUnitNaming.name
        if let naming, format == .junitXML {
            guard let known = JUnitNaming(rawValue: naming) else {
                throw OutputParseError(
                    format: format.rawValue,
                    reason: "unknown test naming '\(ParserText.name(naming))' (name, classname.name, suite-path)")
            }
            resolved = known
        }
        return try parse(format, report: report, naming: resolved)
    }

    /// Bytes as the runner wrote them; invalid UTF-8 is replaced, never fatal.
    public static func parse(
        _ format: TestReportFormat, report: [UInt8], naming: JUnitNaming = .name
    ) throws(OutputParseError) -> [ParsedTest] {
        try parse(format, report: String(decoding: report, as: UTF8.self), naming: naming)
    }
}
