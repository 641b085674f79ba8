// Validation is a pure function from a decoded value to every problem in it, each with a field path and a
// message saying what to change. Decoding already rejected wrong types and unknown enum strings (also with
// field paths, see `CrucibleJSON.decode`); validation checks what types cannot: ids, paths, sizes, ranges,
// and references between parts of a body.

public protocol Validatable {
    /// Every problem, with paths below `path` (the root for a whole request body).
    func validationIssues(at path: FieldPath, limits: ValidationLimits) -> [ValidationIssue]
}

extension Validatable {
    public func validationIssues(limits: ValidationLimits = .default) -> [ValidationIssue] {
        validationIssues(at: .root, limits: limits)
    }

    /// Throws every problem found, or returns when there is none.
    public func validate(limits: ValidationLimits = .default) throws(CrucibleAPIError) {
        if let error = CrucibleAPIError(validationIssues(at: .root, limits: limits)) {
            throw error
        }
    }
}

/// Gathers issues under one default error code, so the rules read as a list of checks.
struct IssueCollector {
    let code: ErrorCode
    private(set) var issues: [ValidationIssue] = []

    init(code: ErrorCode) {
        self.code = code
    }

    mutating func add(_ path: FieldPath, _ message: String, code: ErrorCode? = nil) {
        issues.append(ValidationIssue(code: code ?? self.code, field: path.fieldValue, message: message))
    }

    /// A size cap was exceeded: reported as `too_large`, which a server answers with 413.
    mutating func tooLarge(_ path: FieldPath, _ message: String) {
        add(path, message, code: .tooLarge)
    }

    mutating func add(contentsOf more: [ValidationIssue]) {
        issues += more
    }

    /// `value` must be a finite number > 0 (or ≥ 0 when `allowZero`) and ≤ `max`.
    mutating func checkNumber(
        _ value: Double, at path: FieldPath, allowZero: Bool = false, max: Double? = nil, unit: String = ""
    ) {
        let suffix = unit.isEmpty ? "" : " \(unit)"
        if !value.isFinite {
            add(path, "must be a finite number")
        } else if allowZero ? value < 0 : value <= 0 {
            add(path, allowZero ? "is \(format(value)); use 0 or more" : "is \(format(value)); use a value above 0")
        } else if let max, value > max {
            add(path, "is \(format(value))\(suffix); use at most \(format(max))\(suffix)")
        }
    }

    private func format(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
