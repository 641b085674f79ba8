// TAP 13/14 as node:test prints it, and as `program`-mode tests print it by hand
// ("ok 1 - name" / "not ok 2 - name"), possibly between other output.
//
// - Test points: "ok"/"not ok", optional number, optional "-", description, optional
//   "# SKIP reason" / "# TODO reason" directive (both reported as `skipped`; a TODO test is not
//   expected to pass). "\#" and "\\" in descriptions are unescaped.
// - Subtests are indented (4 spaces in TAP 14 and node) and come before their parent's test
//   point; a test is named by its ancestors and itself joined with " > " (the same path
//   node's junit output gives under JUnitNaming.suitePath).
// - A parent is reported only when it failed on its own account: node's failureType is not
//   "subtestsFailed", or (no failureType) none of its subtests failed.
// - YAML diagnostics ("---" … "...") give duration_ms and the message (`error`, else `message`).
// - "Bail out!" ends the run: an `error` entry "Bail out!" carries the reason.
// - Truncated output (a killed run): completed test points are kept; node announces a test with
//   "# Subtest: name" before its result, so the innermost announced test without a result is
//   reported as an `error` ("did not finish").
// - Lines that are not TAP are ignored; this parser never throws.

enum TAPReportParser {
    static let pathSeparator = " > "

    private struct Node: Sendable {
        let name: String
        let indent: Int
        var ok: Bool
        var directive: ParsedTestStatus?
        var directiveReason: String?
        var isTodo = false
        var durationMS: Double?
        var message: String?
        var failureType: String?
        /// Indices into the parse's node arena (a flat array: no recursion on deep nesting).
        var children: [Int] = []
        /// Announced by "# Subtest:" but the run ended before its test point.
        var unfinished = false
        /// This node or one below it failed (set when its children are attached).
        var subtreeFailing = false

        var failedItself: Bool { unfinished || (!ok && directive == nil) }

        init(name: String, indent: Int, ok: Bool) {
            self.name = name
            self.indent = indent
            self.ok = ok
        }
    }

    static func parse(_ report: String) -> [ParsedTest] {
        let lines = ParserText.lines(report)
        var nodes: [Node] = []
        var pending: [Int] = []  // completed points not yet claimed by a parent, in order
        var headers: [(indent: Int, name: String)] = []  // "# Subtest:" without a result yet
        var bailOut: String?
        var diagnosticsMayFollow = false  // the previous line was a test point (pending.last)
        var index = 0

        /// Attaches every pending node deeper than `node` to it, as its children.
        func adopt(_ node: inout Node) {
            var start = pending.count
            while start > 0, nodes[pending[start - 1]].indent > node.indent { start -= 1 }
            node.children = Array(pending[start...])
            pending.removeSubrange(start...)
            node.subtreeFailing = node.failedItself || node.children.contains { nodes[$0].subtreeFailing }
        }

        while index < lines.count {
            let line = lines[index]
            index += 1
            let (indent, content) = split(line)

            // YAML block right after a test point, indented deeper than the point.
            if diagnosticsMayFollow, let last = pending.last, ParserText.trimmed(content) == "---",
                indent > nodes[last].indent
            {
                var block: [Substring] = []
                while index < lines.count {
                    let (yamlIndent, yamlContent) = split(lines[index])
                    let t = ParserText.trimmed(yamlContent)
                    if t == "..." {
                        index += 1
                        break
                    }
                    // A line indented less than the block is not part of it (malformed block).
                    if !t.isEmpty, yamlIndent < indent { break }
                    block.append(lines[index])
                    index += 1
                }
                applyDiagnostics(block, to: &nodes[last])
                diagnosticsMayFollow = false
                continue
            }
            diagnosticsMayFollow = false

            if ParserText.hasPrefix(content, "Bail out!") {
                bailOut = String(ParserText.trimmed(content.dropFirst("Bail out!".count)))
                break
            }
            if ParserText.hasPrefix(content, "# Subtest:") {
                let name = unescape(ParserText.trimmed(content.dropFirst("# Subtest:".count)))
                while let last = headers.last, last.indent >= indent { headers.removeLast() }
                headers.append((indent, name))
                continue
            }
            guard var point = testPoint(content, indent: indent) else { continue }
            guard nodes.count < ParserLimits.maxTests * 2 else { break }
            diagnosticsMayFollow = true
            // Everything pending at a deeper indentation belongs to this point.
            adopt(&point)
            pending.append(nodes.count)
            nodes.append(point)
            // Its announcement, and any stale deeper ones, are answered.
            while let last = headers.last, last.indent > indent { headers.removeLast() }
            if let last = headers.last, last.indent == indent { headers.removeLast() }
        }

        // The run ended while announced tests were running: the innermost one did not finish.
        // Orphaned points deeper than it are its (finished) subtests.
        if bailOut == nil, let innermost = headers.popLast() {
            var node = Node(name: innermost.name, indent: innermost.indent, ok: false)
            node.unfinished = true
            adopt(&node)
            pending.append(nodes.count)
            nodes.append(node)
        }

        var collector = TestCollector()
        for root in pending {
            // Points whose announced parents never reported (the run was cut short) keep their path.
            let prefix = headers.filter { $0.indent < nodes[root].indent }.map(\.name).joined(separator: pathSeparator)
            emit(root, prefix: prefix, nodes: nodes, into: &collector)
        }
        if let bailOut {
            collector.add(name: "Bail out!", status: .error, message: bailOut.isEmpty ? "the run bailed out" : bailOut)
        }
        return collector.tests
    }

    /// Indentation width (a tab counts as 4) and the rest of the line.
    private static func split(_ line: Substring) -> (Int, Substring) {
        var width = 0
        var rest = line
        while let b = rest.utf8.first, b == 0x20 || b == 0x09 {
            width += b == 0x09 ? 4 : 1
            rest = rest.dropFirst()
        }
        return (width, rest)
    }

    private static func testPoint(_ content: Substring, indent: Int) -> Node? {
        var rest: Substring
        let ok: Bool
        if ParserText.hasPrefix(content, "not ok") {
            rest = content.dropFirst(6)
            ok = false
        } else if ParserText.hasPrefix(content, "ok") {
            rest = content.dropFirst(2)
            ok = true
        } else {
            return nil
        }
        // "ok" must stand alone ("okay" is not a test point).
        if let b = rest.utf8.first, b != 0x20, b != 0x09 { return nil }
        rest = ParserText.trimmed(rest)
        let digitsEnd = rest.utf8.firstIndex { $0 < 0x30 || $0 > 0x39 } ?? rest.endIndex
        let number = rest[rest.startIndex..<digitsEnd]
        rest = ParserText.trimmed(rest[digitsEnd...])
        if rest.utf8.first == UInt8(ascii: "-") { rest = ParserText.trimmed(rest.dropFirst()) }

        // The description runs to the first unescaped "#"; the directive follows.
        var description = rest
        var directiveText: Substring?
        var i = rest.startIndex
        var escaped = false
        while i < rest.endIndex {
            let b = rest.utf8[i]
            if escaped {
                escaped = false
            } else if b == UInt8(ascii: "\\") {
                escaped = true
            } else if b == UInt8(ascii: "#") {
                description = rest[rest.startIndex..<i]
                directiveText = rest[rest.utf8.index(after: i)...]
                break
            }
            i = rest.utf8.index(after: i)
        }
        var name = unescape(ParserText.trimmed(description))
        if name.isEmpty { name = number.isEmpty ? "(unnamed)" : "test \(number)" }
        var node = Node(name: name, indent: indent, ok: ok)
        if let directiveText {
            let d = ParserText.trimmed(directiveText)
            let rawWord = d.prefix { $0 != " " && $0 != "\t" }
            let word = rawWord.lowercased()
            let reason = String(ParserText.trimmed(d.dropFirst(rawWord.count)))
            if word.hasPrefix("skip") {
                node.directive = .skipped
                node.directiveReason = reason
            } else if word == "todo" {
                node.directive = .skipped
                node.isTodo = true
                node.directiveReason = reason
            }
        }
        return node
    }

    /// TAP escapes "#" and "\" in descriptions.
    private static func unescape(_ text: Substring) -> String {
        guard text.utf8.contains(UInt8(ascii: "\\")) else { return String(text) }
        var out: [UInt8] = []
        var escaped = false
        for b in text.utf8 {
            if escaped {
                if b != UInt8(ascii: "\\"), b != UInt8(ascii: "#") { out.append(UInt8(ascii: "\\")) }
                out.append(b)
                escaped = false
            } else if b == UInt8(ascii: "\\") {
                escaped = true
            } else {
                out.append(b)
            }
        }
        if escaped { out.append(UInt8(ascii: "\\")) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Reports a tree depth-first, subtests before their parent, without recursion.
    private static func emit(_ root: Int, prefix: String, nodes: [Node], into collector: inout TestCollector) {
        var work: [(index: Int, prefix: String, expanded: Bool)] = [(root, prefix, false)]
        while let (index, prefix, expanded) = work.popLast(), !collector.isFull {
            let node = nodes[index]
            // Paths are capped like names, so deep nesting cannot make them grow without bound.
            let name = ParserText.cap(
                prefix.isEmpty ? node.name : prefix + pathSeparator + node.name, bytes: ParserLimits.maxNameBytes)
            if !node.children.isEmpty {
                if !expanded {
                    work.append((index, prefix, true))
                    for child in node.children.reversed() { work.append((child, name, false)) }
                    continue
                }
                let childFailed = node.children.contains { nodes[$0].subtreeFailing }
                let failedOnItsOwn: Bool
                if node.unfinished || node.ok || node.directive != nil {
                    failedOnItsOwn = node.unfinished && !childFailed
                } else if let failureType = node.failureType {
                    failedOnItsOwn = failureType != "subtestsFailed"
                } else {
                    failedOnItsOwn = !childFailed
                }
                guard failedOnItsOwn else { continue }
            }
            let durationS = node.durationMS.map { $0 / 1000 }
            if node.unfinished {
                collector.add(name: name, status: .error, message: "did not finish (the output ends before its result)")
            } else if let directive = node.directive {
                let reason = node.directiveReason.flatMap { $0.isEmpty ? nil : $0 }
                let message = node.isTodo ? "TODO" + (reason.map { ": " + $0 } ?? "") : reason
                collector.add(name: name, status: directive, durationS: durationS, message: message)
            } else if node.ok {
                collector.add(name: name, status: .passed, durationS: durationS)
            } else {
                collector.add(name: name, status: .failed, durationS: durationS, message: node.message)
            }
        }
    }

    /// Reads the few keys Crucible uses from a YAML diagnostic block: scalars, quoted strings
    /// and block scalars (| / >, with chomping indicators).
    private static func applyDiagnostics(_ block: [Substring], to node: inout Node) {
        guard let base = block.first.map({ split($0).0 }) else { return }
        var values: [String: String] = [:]
        var i = 0
        while i < block.count {
            let (indent, content) = split(block[i])
            i += 1
            guard indent == base, let colon = content.utf8.firstIndex(of: UInt8(ascii: ":")) else { continue }
            let key = String(content[content.startIndex..<colon])
            let raw = ParserText.trimmed(content[content.utf8.index(after: colon)...])
            if raw.hasPrefix("|") || raw.hasPrefix(">") {
                var lines: [Substring] = []
                var blockIndent: Int?
                while i < block.count {
                    let (lineIndent, lineContent) = split(block[i])
                    if ParserText.isBlank(lineContent) {
                        lines.append("")
                        i += 1
                        continue
                    }
                    guard lineIndent > base else { break }
                    let b = blockIndent ?? lineIndent
                    blockIndent = b
                    // Keep indentation beyond the block's own.
                    lines.append(block[i].dropFirst(min(b, block[i].count)))
                    i += 1
                }
                while let last = lines.last, last.isEmpty { lines.removeLast() }
                let folded = raw.hasPrefix(">")
                values[key] = lines.joined(separator: folded ? " " : "\n")
            } else if raw.hasPrefix("'") {
                values[key] = String(raw.dropFirst().dropLast(raw.hasSuffix("'") && raw.count > 1 ? 1 : 0))
                    .replacingOccurrencesOfDoubledQuote()
            } else if raw.hasPrefix("\"") {
                let inner = raw.dropFirst().dropLast(raw.hasSuffix("\"") && raw.count > 1 ? 1 : 0)
                values[key] = unescapeDoubleQuoted(inner)
            } else {
                values[key] = String(raw)
            }
        }
        if let duration = values["duration_ms"].flatMap({ Double($0) }), duration.isFinite, duration >= 0 {
            node.durationMS = duration
        }
        node.failureType = values["failureType"]
        node.message = values["error"] ?? values["message"]
    }

    private static func unescapeDoubleQuoted(_ text: Substring) -> String {
        var out = ""
        var escaped = false
        for ch in text {
            if escaped {
                switch ch {
                case "n": out.append("\n")
                case "t": out.append("\t")
                default: out.append(ch)
                }
                escaped = false
            } else if ch == "\\" {
                escaped = true
            } else {
                out.append(ch)
            }
        }
        return out
    }
}

extension String {
    /// YAML single-quoted scalars write a quote as two.
    fileprivate func replacingOccurrencesOfDoubledQuote() -> String {
        ParserText.replacingAll("''", with: "'", in: self)
    }
}
