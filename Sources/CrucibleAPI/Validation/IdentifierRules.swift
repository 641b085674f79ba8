// Ids end up in URLs, file names, log lines and SQL, so they keep to a small safe alphabet; names meant for
// people (run names, authors) may hold anything printable.

enum IdentifierRules {
    /// Task, job, run, lease and agent ids: ASCII letters and digits, then also '.', '_' and '-'.
    static let idPunctuation: Set<Unicode.Scalar> = [".", "_", "-"]
    /// Model names also use ':', '/', '@' and '+' ("acme/coder-7b:q4", "gpt-4o@2024-08-06").
    static let modelPunctuation: Set<Unicode.Scalar> = [".", "_", "-", ":", "/", "@", "+"]

    static func issues(
        id: String, what: String, at path: FieldPath, code: ErrorCode, limits: ValidationLimits
    ) -> [ValidationIssue] {
        issues(id, what: what, punctuation: idPunctuation, maxLength: limits.maxIDLength, at: path, code: code)
    }

    static func issues(
        model: String, at path: FieldPath, code: ErrorCode, limits: ValidationLimits
    ) -> [ValidationIssue] {
        issues(
            model, what: "model name", punctuation: modelPunctuation, maxLength: limits.maxModelLength, at: path,
            code: code)
    }

    /// Free text that is still a single line: names, authors, label values.
    static func issues(
        name: String, what: String, maxLength: Int, at path: FieldPath, code: ErrorCode, allowEmpty: Bool = false
    ) -> [ValidationIssue] {
        var collector = IssueCollector(code: code)
        if name.allSatisfy(\.isWhitespace) && !allowEmpty {
            collector.add(path, "\(what) is empty; give a short \(what)")
        } else if name.count > maxLength {
            collector.add(path, "\(what) is \(name.count) characters long; use at most \(maxLength)")
        } else if name.unicodeScalars.contains(where: \.isControl) {
            collector.add(path, "\(what) contains a control character (newline, tab, NUL…); remove it")
        }
        return collector.issues
    }

    private static func issues(
        _ value: String, what: String, punctuation: Set<Unicode.Scalar>, maxLength: Int, at path: FieldPath,
        code: ErrorCode
    ) -> [ValidationIssue] {
        var collector = IssueCollector(code: code)
        let allowed = punctuation.map { "'\($0)'" }.sorted().joined(separator: ", ")
        guard let first = value.unicodeScalars.first else {
            collector.add(path, "\(what) is empty; use letters, digits and \(allowed)")
            return collector.issues
        }
        if value.unicodeScalars.count > maxLength {
            collector.add(path, "\(what) is \(value.unicodeScalars.count) characters long; use at most \(maxLength)")
        }
        if let bad = value.unicodeScalars.first(where: { !$0.isASCIIAlphanumeric && !punctuation.contains($0) }) {
            collector.add(
                path, "\(what) contains \(describe(bad)); use only ASCII letters, digits and \(allowed)")
        } else if !first.isASCIIAlphanumeric {
            collector.add(path, "\(what) starts with '\(first)'; start it with a letter or digit")
        }
        return collector.issues
    }

    static func describe(_ scalar: Unicode.Scalar) -> String {
        if scalar.isControl || scalar == " " {
            return "U+" + String(scalar.value, radix: 16, uppercase: true)
        }
        return "'\(scalar)'"
    }
}

extension Unicode.Scalar {
    var isASCIIAlphanumeric: Bool {
        ("a"..."z").contains(self) || ("A"..."Z").contains(self) || ("0"..."9").contains(self)
    }

    var isControl: Bool {
        value < 0x20 || (0x7F...0x9F).contains(value)
    }
}
