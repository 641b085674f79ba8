// `eslint -f json`: an array of {filePath, messages: [{ruleId, severity, message, line,
// fatal}]}. severity 2 is an error, 1 a warning (the shipped config chooses); a parse error
// has ruleId null and fatal true.

enum ESLintJSONLint {
    static func parse(_ output: String, into collector: inout FindingCollector) throws(OutputParseError) {
        let document = try LintJSON.document(output, format: .eslintJSON)
        guard let files = document.array else {
            throw OutputParseError(format: LintFormat.eslintJSON.rawValue, reason: "expected a JSON array of files")
        }
        for file in files where file.isObject {
            let path = file["filePath"]?.string ?? ""
            for message in file["messages"]?.array ?? [] where message.isComplete && message.isObject {
                guard !collector.isFull else { return }
                let fatal = message["fatal"]?.bool ?? false
                let severity: LintSeverity
                switch message["severity"]?.int {
                case 2: severity = .error
                case 1: severity = .warning
                default: severity = fatal ? .error : .info
                }
                collector.add(
                    rule: message["ruleId"]?.string ?? (fatal ? "parse-error" : "eslint"), severity: severity,
                    path: path, line: message["line"]?.int, message: message["message"]?.string ?? "")
            }
        }
    }
}
