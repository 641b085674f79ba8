/// Validation shared by score weights (`weights.*`) and judge weights (`judge_weights.*`).
///
/// A weight set is usable when every weight is finite and ≥ 0, the sum is positive and finite, and
/// only known names appear.
enum WeightSet {
    /// Parses a client-sent object such as `{"correctness": 60, "quality": 40}`. Keys left out weigh 0:
    /// an override is the whole set, never a patch on the defaults, so what a run sends is what it gets.
    static func parse<Key: CaseIterable & RawRepresentable<String>>(
        _ raw: [String: Double], as _: Key.Type, field: String
    ) throws(ScoringError) -> [Key: Double] {
        var parsed: [Key: Double] = [:]
        // Sorted so that with several bad keys the error is always about the same one.
        for name in raw.keys.sorted() {
            guard let key = Key(rawValue: name) else {
                let known = Key.allCases.map(\.rawValue).joined(separator: ", ")
                throw ScoringError(
                    code: .invalidWeights, field: "\(field).\(name)",
                    message: "unknown weight \"\(name)\"; use only \(known)")
            }
            parsed[key] = raw[name]
        }
        let values = Key.allCases.map { (name: $0.rawValue, value: parsed[$0] ?? 0) }
        try validate(values, field: field)
        return parsed
    }

    /// Checks a complete set of named weights.
    static func validate(_ weights: [(name: String, value: Double)], field: String) throws(ScoringError) {
        for weight in weights {
            guard weight.value.isFinite, weight.value >= 0 else {
                throw ScoringError(
                    code: .invalidWeights, field: "\(field).\(weight.name)",
                    message: "must be a finite number ≥ 0, got \(weight.value); use 0 to leave it out of the score")
            }
        }
        let sum = weights.reduce(0) { $0 + $1.value }
        guard sum > 0 else {
            throw ScoringError(
                code: .invalidWeights, field: field,
                message: "every weight is 0; give at least one of "
                    + weights.map(\.name).joined(separator: ", ") + " a positive value")
        }
        guard sum.isFinite else {
            throw ScoringError(
                code: .invalidWeights, field: field,
                message: "the weights add up to more than a Double can hold; use smaller numbers (only ratios matter)")
        }
    }
}
