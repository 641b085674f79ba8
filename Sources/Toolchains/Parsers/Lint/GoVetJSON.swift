// `go vet -json` (stderr): per package a "# pkg" line, then a JSON object
// {pkg: {analyzer: [{posn: "file:line:col", message}] | {"error": "…"}}}. Exit code 0 even
// with findings. Analyzer errors (vet could not run the analyzer) are not findings. Plain
// "vet: file:line:col: message" lines (type errors, which vet prints as text even with -json,
// exiting 2) are kept as rule "typecheck", severity error.

enum GoVetJSONLint {
    /// The analyzers `go test` runs by default: their findings fail a test build, so they are errors.
    static let errorAnalyzers: Set<String> = [
        "atomic", "bool", "buildtag", "buildtags", "errorsas", "ifaceassert", "nilfunc", "printf", "stringintconv",
    ]

    static func parse(_ output: String, into collector: inout FindingCollector) throws(OutputParseError) {
        let objects = LenientJSON.objects(in: output, limit: 10_000)
        for object in objects {
            guard case .object(let packages, _) = object else { continue }
            for package in packages.keys.sorted() {
                guard case .object(let analyzers, _)? = packages[package] else { continue }
                // JSON objects have no order: sort the package's findings by position.
                var found: [(path: String, line: Int?, column: Int?, analyzer: String, message: String)] = []
                for analyzer in analyzers.keys.sorted() {
                    for diagnostic in analyzers[analyzer]?.array ?? [] where diagnostic.isComplete {
                        guard found.count < ParserLimits.maxFindings else { break }
                        let (path, line, column) = position(diagnostic["posn"]?.string ?? "")
                        found.append((path, line, column, analyzer, diagnostic["message"]?.string ?? ""))
                    }
                }
                found.sort { a, b in
                    (a.path, a.line ?? 0, a.column ?? 0, a.analyzer) < (b.path, b.line ?? 0, b.column ?? 0, b.analyzer)
                }
                for finding in found {
                    guard !collector.isFull else { return }
                    collector.add(
                        rule: finding.analyzer,
                        severity: errorAnalyzers.contains(finding.analyzer) ? .error : .warning,
                        path: finding.path, line: finding.line, message: finding.message)
                }
            }
        }
        var plain = 0
        for line in ParserText.lines(output) where !ParserText.hasPrefix(line, "{") && !ParserText.hasPrefix(line, "\t")
        {
            guard let (path, number, message) = plainDiagnostic(line) else { continue }
            guard !collector.isFull else { return }
            plain += 1
            collector.add(rule: "typecheck", severity: .error, path: path, line: number, message: message)
        }
        if objects.isEmpty, plain == 0,
            ParserText.lines(output).contains(where: { !ParserText.isBlank($0) && !ParserText.hasPrefix($0, "#") })
        {
            throw OutputParseError(format: LintFormat.goVetJSON.rawValue, reason: "no vet JSON object found")
        }
    }

    /// "path/to/file.go:12:5" -> ("path/to/file.go", 12, 5); the path may itself contain colons.
    static func position(_ posn: String) -> (String, Int?, Int?) {
        var parts = posn.split(separator: ":", omittingEmptySubsequences: false)
        var numbers: [Int] = []
        while parts.count > 1, let last = parts.last, let n = ParserText.int(last), numbers.count < 2 {
            numbers.insert(n, at: 0)
            parts.removeLast()
        }
        return (parts.joined(separator: ":"), numbers.first, numbers.count > 1 ? numbers[1] : nil)
    }

    /// "vet: ./solution.go:5:9: undefined: foo" -> ("./solution.go", 5, "undefined: foo").
    static func plainDiagnostic(_ raw: Substring) -> (String, Int, String)? {
        var line = ParserText.trimmed(raw)
        if line.hasPrefix("vet: ") { line = line.dropFirst(5) }
        guard let goRange = ParserText.firstRange(of: ".go:", in: line) else { return nil }
        let path = String(line[line.startIndex..<goRange.upperBound].dropLast())
        let rest = line[goRange.upperBound...]
        let fields = rest.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        guard fields.count == 3, let number = ParserText.int(fields[0]), ParserText.int(fields[1]) != nil else {
            return nil
        }
        return (path, number, String(ParserText.trimmed(fields[2])))
    }
}
