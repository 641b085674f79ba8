/// The one error type of the Scoring module.
///
/// Every error names the offending field with the same dotted/indexed path a client sent
/// (`weights.quality`, `judgements[2].score`) and says how to fix it, so the control plane can
/// hand it straight back as `{"error": {"code", "message", "field"}}`.
public struct ScoringError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Machine-readable category; raw values are the API's `error.code` strings.
    public enum Code: String, Sendable, Codable {
        /// A score-weight or judge-weight set is unusable.
        case invalidWeights = "invalid_weights"
        /// A judgement's kind or score is out of range.
        case invalidJudgement = "invalid_judgement"
        /// A job outcome carries an impossible measurement (negative time, NaN weight...).
        case invalidOutcome = "invalid_outcome"
        /// A parameter of a calculation (pass@k, bootstrap, curve settings) is out of range.
        case invalidArgument = "invalid_argument"
    }

    public let code: Code
    /// Path of the offending field, e.g. `weights.quality`.
    public let field: String
    /// What is wrong and what to do about it.
    public let message: String

    public init(code: Code, field: String, message: String) {
        self.code = code
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }

    /// Prefixes the field path, used when a nested value is validated on behalf of its container
    /// (`score` inside `judgements[2]` becomes `judgements[2].score`).
    func nested(under prefix: String) -> ScoringError {
        ScoringError(code: code, field: field.isEmpty ? prefix : "\(prefix).\(field)", message: message)
    }
}

/// Shared checks so every type words its errors the same way.
enum Check {
    /// A measurement that must be a finite number ≥ 0.
    static func nonNegative(_ value: Double, field: String, code: ScoringError.Code) throws(ScoringError) {
        guard value.isFinite, value >= 0 else {
            throw ScoringError(
                code: code, field: field,
                message: "must be a finite number ≥ 0, got \(value); send 0 or a positive value")
        }
    }

    /// An optional measurement: absent is fine, present must be finite and ≥ 0.
    static func nonNegative(_ value: Double?, field: String, code: ScoringError.Code) throws(ScoringError) {
        if let value { try nonNegative(value, field: field, code: code) }
    }

    /// A count that must be ≥ 0.
    static func nonNegative(_ value: Int, field: String, code: ScoringError.Code) throws(ScoringError) {
        guard value >= 0 else {
            throw ScoringError(code: code, field: field, message: "must be ≥ 0, got \(value)")
        }
    }

    /// A score on the 0–100 scale.
    static func percentage(_ value: Double, field: String, code: ScoringError.Code) throws(ScoringError) {
        guard value.isFinite, (0...100).contains(value) else {
            throw ScoringError(
                code: code, field: field,
                message: "must be a number from 0 to 100, got \(value); rescale the score to 0–100")
        }
    }
}
