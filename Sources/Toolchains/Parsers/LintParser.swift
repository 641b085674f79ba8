/// A toolchain quality step's `findings.parser`.
public enum LintFormat: String, Sendable, CaseIterable {
    case ruffJSON = "ruff-json"
    case eslintJSON = "eslint-json"
    case goVetJSON = "go-vet-json"
    case staticcheckJSON = "staticcheck-json"
    case checkstyleXML = "checkstyle-xml"
    case rubocopJSON = "rubocop-json"
    case mcsWarnings = "mcs-warnings"
    case tsc
    case clippyJSON = "clippy-json"

    /// The `tool` every finding of this format carries.
    public var tool: String {
        switch self {
        case .ruffJSON: return "ruff"
        case .eslintJSON: return "eslint"
        case .goVetJSON: return "go vet"
        case .staticcheckJSON: return "staticcheck"
        case .checkstyleXML: return "checkstyle"
        case .rubocopJSON: return "rubocop"
        case .mcsWarnings: return "mcs"
        case .tsc: return "tsc"
        case .clippyJSON: return "clippy"
        }
    }
}

/// Turns a linter's output into findings. Paths are made relative to `workspaceRoot`
/// ("/work/solution.py" and "./solution.py" become "solution.py").
///
/// Severity mapping (error = likely bug, warning = suspicious or poor practice, info = style):
/// - ruff: F (pyflakes), E9 (syntax/IO), PLE, syntax errors -> error; B, S, PLW, E7, W6, RUF ->
///   warning; other pycodestyle, C90, UP, SIM, PLR, PLC and the rest -> info.
/// - eslint: severity 2 -> error, 1 -> warning (the config decides); parse errors -> error.
/// - go vet: the analyzers `go test` itself runs (atomic, bool, buildtag, errorsas,
///   ifaceassert, nilfunc, printf, stringintconv) -> error; the others -> warning.
/// - staticcheck: SA1/SA2/SA3/SA5 and compile errors -> error; SA4/SA6/SA9 and U1000 ->
///   warning; S, ST, QF -> info.
/// - checkstyle: its own severity (the shipped config assigns them); "ignore" is dropped.
/// - rubocop: fatal/error -> error, warning -> warning, convention/refactor/info -> info.
/// - mcs: error -> error, warning -> warning.
/// - tsc: unused code (TS6133 and kin), fallthrough/missing return/unreachable (TS7027-7030)
///   -> warning; index-signature access and override modifiers (TS4111, TS4113-4116) -> info;
///   every other diagnostic (type errors) -> error; tsc "warning"/"message" categories lower it.
/// - clippy: compiler level error -> error, warning -> warning, others -> info.
public enum LintParser {
    public static func parse(
        _ format: LintFormat, output: String, workspaceRoot: String = "/work"
    ) throws(OutputParseError) -> [LintFinding] {
        if ParserText.isBlank(output) { return [] }
        var collector = FindingCollector(tool: format.tool, workspaceRoot: workspaceRoot)
        switch format {
        case .ruffJSON: try RuffJSONLint.parse(output, into: &collector)
        case .eslintJSON: try ESLintJSONLint.parse(output, into: &collector)
        case .goVetJSON: try GoVetJSONLint.parse(output, into: &collector)
        case .staticcheckJSON: try StaticcheckJSONLint.parse(output, into: &collector)
        case .checkstyleXML: try CheckstyleXMLLint.parse(output, into: &collector)
        case .rubocopJSON: try RubocopJSONLint.parse(output, into: &collector)
        case .mcsWarnings: try MCSWarningsLint.parse(output, into: &collector)
        case .tsc: try TSCLint.parse(output, into: &collector)
        case .clippyJSON: try ClippyJSONLint.parse(output, into: &collector)
        }
        return collector.findings
    }

    /// Bytes as the tool wrote them; invalid UTF-8 is replaced, never fatal.
    public static func parse(
        _ format: LintFormat, output: [UInt8], workspaceRoot: String = "/work"
    ) throws(OutputParseError) -> [LintFinding] {
        try parse(format, output: String(decoding: output, as: UTF8.self), workspaceRoot: workspaceRoot)
    }
}

/// Shared by the JSON linters: the document's top-level value, or an error naming the format.
enum LintJSON {
    static func document(_ output: String, format: LintFormat) throws(OutputParseError) -> JSONValue {
        // Tools sometimes print a warning line before the JSON; start at the first bracket.
        let text = Substring(output)
        guard let start = text.utf8.firstIndex(where: { $0 == UInt8(ascii: "[") || $0 == UInt8(ascii: "{") }) else {
            throw OutputParseError(format: format.rawValue, reason: "no JSON found in the output")
        }
        let value: JSONValue?
        do {
            value = try LenientJSON.parse(String(text[start...]), format: format.rawValue)
        } catch {
            throw OutputParseError(format: format.rawValue, reason: "malformed JSON: \(error.reason)")
        }
        guard let value else {
            throw OutputParseError(format: format.rawValue, reason: "the JSON ends before its first value")
        }
        return value
    }
}
