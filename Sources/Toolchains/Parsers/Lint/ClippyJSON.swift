// `cargo clippy --message-format=json`: one JSON object a line; those with reason
// "compiler-message" carry rustc's diagnostic {level, code: {code}, message, spans}. The
// primary span gives file and line; a span inside a macro from outside the workspace is
// followed back through `expansion` to the call site. Messages without a span ("3 warnings
// emitted") are skipped. With --all-targets the library is checked twice (lib and lib test),
// so identical diagnostics at the same place are reported once.

enum ClippyJSONLint {
    static func parse(_ output: String, into collector: inout FindingCollector) throws(OutputParseError) {
        let objects = LenientJSON.objects(in: output, limit: 100_000)
        guard !objects.isEmpty else {
            throw OutputParseError(format: LintFormat.clippyJSON.rawValue, reason: "no cargo JSON message found")
        }
        var seen = Set<String>()
        for object in objects where object.isComplete {
            guard object["reason"]?.string == "compiler-message", let message = object["message"] else { continue }
            guard let span = primarySpan(message["spans"]?.array ?? [], root: collector.workspaceRoot) else { continue }
            guard !collector.isFull else { return }
            let level = message["level"]?.string ?? "warning"
            let severity: LintSeverity =
                level.hasPrefix("error") ? .error : level == "warning" ? .warning : .info
            let rule = message["code"]?["code"]?.string ?? "rustc"
            let text = message["message"]?.string ?? ""
            let file = span["file_name"]?.string ?? ""
            let line = span["line_start"]?.int
            let key = [rule, file, String(line ?? 0), String(span["column_start"]?.int ?? 0), text].joined(
                separator: "\u{0}")
            guard seen.insert(key).inserted else { continue }
            collector.add(rule: rule, severity: severity, path: file, line: line, message: text)
        }
    }

    static func primarySpan(_ spans: [JSONValue], root: String) -> JSONValue? {
        guard var span = spans.first(where: { $0["is_primary"]?.bool == true }) ?? spans.first else { return nil }
        var hops = 0
        while hops < 32, !inWorkspace(span["file_name"]?.string ?? "", root: root),
            let outer = span["expansion"]?["span"], outer.isObject
        {
            span = outer
            hops += 1
        }
        return span
    }

    /// Relative paths are the crate's own files; absolute ones count only under the root.
    static func inWorkspace(_ file: String, root: String) -> Bool {
        if file.hasPrefix("<") { return false }  // "<std macros>", "<anon>"
        if !file.hasPrefix("/") { return true }
        return file.hasPrefix(root.hasSuffix("/") ? root : root + "/")
    }
}
