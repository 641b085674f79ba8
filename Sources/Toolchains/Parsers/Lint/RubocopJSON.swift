// `rubocop --format json`: {metadata, files: [{path, offenses: [{severity, message, cop_name,
// location: {line | start_line}}]}], summary}. Severities: fatal/error -> error, warning ->
// warning, convention/refactor/info -> info.

enum RubocopJSONLint {
    static func parse(_ output: String, into collector: inout FindingCollector) throws(OutputParseError) {
        let document = try LintJSON.document(output, format: .rubocopJSON)
        guard document.isObject, let files = document["files"]?.array else {
            if document.isObject, !document.isComplete { return }  // cut off before "files"
            throw OutputParseError(format: LintFormat.rubocopJSON.rawValue, reason: "expected an object with \"files\"")
        }
        for file in files where file.isObject {
            let path = file["path"]?.string ?? ""
            for offense in file["offenses"]?.array ?? [] where offense.isComplete && offense.isObject {
                guard !collector.isFull else { return }
                let severity: LintSeverity
                switch offense["severity"]?.string {
                case "fatal", "error": severity = .error
                case "warning": severity = .warning
                default: severity = .info
                }
                let location = offense["location"]
                collector.add(
                    rule: offense["cop_name"]?.string ?? "rubocop", severity: severity, path: path,
                    line: location?["line"]?.int ?? location?["start_line"]?.int,
                    message: offense["message"]?.string ?? "")
            }
        }
    }
}
