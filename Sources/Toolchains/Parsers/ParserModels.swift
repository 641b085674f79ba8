import CrucibleAPI

// Result parsers: pure functions from a test runner's report or a linter's output (a String,
// or bytes decoded as UTF-8 with invalid sequences replaced) to Crucible's values. No I/O.
//
//   TestReportParser.parse(_ format: TestReportFormat, report: String,
//                          naming: JUnitNaming = .name)            -> [ParsedTest]
//   TestReportParser.parse(_ format:, report:, naming: String?)     (the toolchain file's `name:`)
//   LintParser.parse(_ format: LintFormat, output: String,
//                    workspaceRoot: String = "/work")               -> [LintFinding]
//   (each also takes [UInt8]; all throw only OutputParseError)
//
// Common rules:
// - Blank input gives [] (the runner or tool wrote nothing); the caller judges by the exit code.
//   `exit-code` and `io` reports always give [] (the caller decides).
// - Input that is not the format at all throws OutputParseError, naming the format and what was
//   wrong: the caller then has no per-test results (as with `exit-code`), which is not by itself
//   the candidate's or the node's fault. TAP never throws (non-TAP lines are allowed between
//   test points); libtest, mcs and tsc skip unrecognised lines and throw only when none is
//   recognised.
// - Truncated input (a run killed mid-write, an output cap) yields what was complete, never an
//   error: XML elements whose end was read, JSON records that closed. A test
//   that started and never finished is reported as `error` ("did not finish") where the format
//   shows it (go test, TAP via node's "# Subtest:", libtest).
// - Names, rules and paths lose control characters and ANSI escapes and are capped at 1 KiB;
//   messages keep newlines and tabs and are capped at 4 KiB; at most 10,000 tests or findings
//   (ParserLimits). Nesting deeper than 256 levels (XML, JSON) throws rather than recursing.

/// One test's outcome, as in the job result's `tests[]`.
/// A parsed test is the job result's own test entry (name, status, duration_s, message).
public typealias ParsedTest = TestResult
public typealias ParsedTestStatus = TestStatus

public struct LintFinding: Sendable, Equatable, Hashable, Codable {
    /// ruff, eslint, go vet, staticcheck, checkstyle, rubocop, mcs, tsc or clippy.
    public var tool: String
    public var rule: String
    public var severity: LintSeverity
    /// Relative to the workspace root ("solution.py"); absolute only for files outside it.
    public var path: String
    public var line: Int?
    public var message: String

    public init(tool: String, rule: String, severity: LintSeverity, path: String, line: Int?, message: String) {
        self.tool = tool
        self.rule = rule
        self.severity = severity
        self.path = path
        self.line = line
        self.message = message
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        tool = try c.decode(String.self, forKey: .tool)
        rule = try c.decode(String.self, forKey: .rule)
        severity = try c.decode(LintSeverity.self, forKey: .severity)
        path = try c.decode(String.self, forKey: .path)
        line = try c.decodeIfPresent(Int.self, forKey: .line)
        message = try c.decode(String.self, forKey: .message)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(tool, forKey: .tool)
        try c.encode(rule, forKey: .rule)
        try c.encode(severity, forKey: .severity)
        try c.encode(path, forKey: .path)
        try c.encode(line, forKey: .line)
        try c.encode(message, forKey: .message)
    }

    enum CodingKeys: String, CodingKey {
        case tool, rule, severity, path, line, message
    }
}

public enum LintSeverity: String, Sendable, Equatable, Hashable, Codable, CaseIterable {
    case error, warning, info
}

/// The one error every parser throws: `format` is the parser's name ("junit-xml",
/// "eslint-json", …), `reason` says what was malformed.
public struct OutputParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var format: String
    public var reason: String

    public init(format: String, reason: String) {
        self.format = format
        self.reason = reason
    }

    public var description: String { "\(format): \(reason)" }
}
