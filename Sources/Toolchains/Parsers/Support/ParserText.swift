// Text helpers shared by the report and lint parsers. Everything works on UTF-8 bytes: Swift's
// Character iteration is slow on multi-megabyte outputs, and byte scanning cannot hang.

/// Limits every parser applies, so hostile output cannot blow up a job result.
public enum ParserLimits {
    /// A test's or finding's message is cut to this many UTF-8 bytes (plus a marker).
    public static let maxMessageBytes = 4096
    /// Test names, rule names and paths are cut to this many UTF-8 bytes.
    public static let maxNameBytes = 1024
    /// At most this many tests per report; later ones are dropped.
    public static let maxTests = 10_000
    /// At most this many findings per linter run; later ones are dropped.
    public static let maxFindings = 10_000
    /// XML and JSON nesting deeper than this is rejected (recursion safety).
    static let maxDepth = 256
}

enum ParserText {
    /// Lines of `text` as UTF-8 slices, without their "\n" or "\r\n". A final line without a
    /// newline is included.
    static func lines(_ text: String) -> [Substring] {
        let whole = Substring(text)
        let utf8 = whole.utf8
        // Newline offsets from one pass over contiguous bytes; slicing by offset is O(1) for
        // native strings.
        let ends: [Int]? = utf8.withContiguousStorageIfAvailable { bytes -> [Int] in
            var ends: [Int] = []
            for i in 0..<bytes.count where bytes[i] == 0x0A { ends.append(i) }
            return ends
        }
        guard let ends else { return slowLines(whole) }
        var result: [Substring] = []
        result.reserveCapacity(ends.count + 1)
        var start = utf8.startIndex
        var startOffset = 0
        for end in ends {
            var stop = utf8.index(start, offsetBy: end - startOffset)
            let next = utf8.index(after: stop)
            if stop > start, utf8[utf8.index(before: stop)] == UInt8(ascii: "\r") { stop = utf8.index(before: stop) }
            result.append(whole[start..<stop])
            start = next
            startOffset = end + 1
        }
        if start < utf8.endIndex { result.append(whole[start...]) }
        return result
    }

    private static func slowLines(_ whole: Substring) -> [Substring] {
        var result: [Substring] = []
        var rest = whole
        while !rest.isEmpty {
            if let newline = rest.utf8.firstIndex(of: UInt8(ascii: "\n")) {
                var line = rest[rest.startIndex..<newline]
                if line.utf8.last == UInt8(ascii: "\r") {
                    line = line[line.startIndex..<line.utf8.index(before: line.endIndex)]
                }
                result.append(line)
                rest = rest[rest.utf8.index(after: newline)...]
            } else {
                result.append(rest)
                break
            }
        }
        return result
    }

    /// True when `text` holds nothing but whitespace.
    static func isBlank<S: StringProtocol>(_ text: S) -> Bool {
        text.utf8.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
    }

    static func trimmed<S: StringProtocol>(_ text: S) -> Substring {
        let utf8 = Substring(text).utf8
        guard let first = utf8.firstIndex(where: { !isSpace($0) }),
            let last = utf8.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return Substring(utf8[first...last])
    }

    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0B || byte == 0x0C
    }

    /// A test or rule name: escape sequences removed, control characters (newlines included)
    /// turned into spaces, trimmed and capped.
    static func name<S: StringProtocol>(_ raw: S) -> String {
        let cleaned = clean(raw, keepNewlines: false)
        return cap(String(trimmed(cleaned)), bytes: ParserLimits.maxNameBytes)
    }

    /// A message: escape sequences and control characters (except newline and tab) removed,
    /// blank edges trimmed, capped. Empty messages become nil.
    static func message<S: StringProtocol>(_ raw: S?) -> String? {
        guard let raw else { return nil }
        let cleaned = trimmed(clean(raw, keepNewlines: true))
        guard !cleaned.isEmpty else { return nil }
        return cap(String(cleaned), bytes: ParserLimits.maxMessageBytes)
    }

    /// Removes ANSI/VT escape sequences (CSI, OSC and two-byte ESC sequences) and control
    /// characters. Linear: every byte is looked at once.
    static func clean<S: StringProtocol>(_ raw: S, keepNewlines: Bool) -> String {
        let bytes = Array(raw.utf8)
        // Fast path: nothing to remove.
        if !bytes.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == 0xC2 }) { return String(raw) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b == 0x1B {  // ESC
                i += 1
                guard i < n else { break }
                let kind = bytes[i]
                if kind == UInt8(ascii: "[") {  // CSI: parameters, then one final byte 0x40...0x7E
                    i += 1
                    while i < n, !(0x40...0x7E).contains(bytes[i]) { i += 1 }
                    i += 1
                } else if kind == UInt8(ascii: "]") {  // OSC: until BEL or ESC \
                    i += 1
                    while i < n, bytes[i] != 0x07, bytes[i] != 0x1B { i += 1 }
                    if i < n, bytes[i] == 0x1B { i += 1 }
                    i += 1
                } else {
                    i += 1
                }
                continue
            }
            if b == 0xC2, i + 1 < n, (0x80...0x9F).contains(bytes[i + 1]) {  // C1 controls
                i += 2
                continue
            }
            if b == 0x0A || b == 0x09 {
                out.append(keepNewlines ? b : 0x20)
            } else if b == 0x0D {
                // "\r\n" keeps the newline; a lone "\r" (progress bars) becomes a newline.
                if i + 1 < n, bytes[i + 1] == 0x0A {
                } else {
                    out.append(keepNewlines ? 0x0A : 0x20)
                }
            } else if b < 0x20 || b == 0x7F {
                if !keepNewlines { out.append(0x20) }
            } else {
                out.append(b)
            }
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Cuts `text` to at most `bytes` UTF-8 bytes on a scalar boundary, marking the cut.
    static func cap(_ text: String, bytes limit: Int) -> String {
        guard text.utf8.count > limit else { return text }
        let utf8 = Array(text.utf8)
        let marker = "… [truncated]"
        var end = max(0, limit - marker.utf8.count)
        while end > 0, utf8[end] & 0xC0 == 0x80 { end -= 1 }
        return String(decoding: utf8[..<end], as: UTF8.self) + marker
    }

    /// Appends `piece` to `buffer` while the buffer is below `limit` bytes; past it, only
    /// records that something was dropped, so accumulating a huge output stays cheap.
    static func append(_ piece: Substring, to buffer: inout String, limit: Int = ParserLimits.maxMessageBytes + 256) {
        guard buffer.utf8.count < limit else { return }
        buffer += piece
    }

    /// Decimal integer from ASCII digits (optionally signed); nil when empty, not all digits,
    /// or too long to be a sensible line/count.
    static func int<S: StringProtocol>(_ text: S) -> Int? {
        let t = trimmed(text)
        guard !t.isEmpty, t.utf8.count <= 18 else { return nil }
        return Int(t)
    }

    /// Positive line numbers only: 0 and negatives mean "no line".
    static func line(_ value: Int?) -> Int? {
        guard let value, value > 0 else { return nil }
        return value
    }

    static func hasPrefix<S: StringProtocol>(_ text: S, _ prefix: String) -> Bool {
        text.utf8.starts(with: prefix.utf8)
    }

    /// Range of the first occurrence of `needle` in `haystack` (byte search, no regex).
    static func firstRange(of needle: String, in haystack: Substring) -> Range<Substring.Index>? {
        var needle = needle
        return needle.withUTF8 { n -> Range<Substring.Index>? in
            guard let first = n.first else { return nil }
            let utf8 = haystack.utf8
            let offset: Int?? = utf8.withContiguousStorageIfAvailable { h -> Int? in
                guard h.count >= n.count else { return nil }
                var i = 0
                let last = h.count - n.count
                while i <= last {
                    if h[i] == first {
                        var k = 1
                        while k < n.count, h[i + k] == n[k] { k += 1 }
                        if k == n.count { return i }
                    }
                    i += 1
                }
                return nil
            }
            if let offset {
                guard let offset else { return nil }
                let start = utf8.index(utf8.startIndex, offsetBy: offset)
                return start..<utf8.index(start, offsetBy: n.count)
            }
            // Bridged or non-contiguous storage: the slow, generic way.
            var i = utf8.startIndex
            while i < utf8.endIndex {
                guard let start = utf8[i...].firstIndex(of: first) else { return nil }
                var a = start
                var k = 0
                while k < n.count, a < utf8.endIndex, utf8[a] == n[k] {
                    a = utf8.index(after: a)
                    k += 1
                }
                if k == n.count { return start..<a }
                i = utf8.index(after: start)
            }
            return nil
        }
    }

    /// `text` with every `target` replaced (no Foundation).
    static func replacingAll(_ target: String, with replacement: String, in text: String) -> String {
        guard !target.isEmpty else { return text }
        var result = ""
        var rest = Substring(text)
        while let range = firstRange(of: target, in: rest) {
            result += rest[rest.startIndex..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        result += rest
        return result
    }

    /// Range of the last occurrence of `needle` in `haystack`.
    static func lastRange(of needle: String, in haystack: Substring) -> Range<Substring.Index>? {
        var found: Range<Substring.Index>?
        var rest = haystack
        while let r = firstRange(of: needle, in: rest) {
            found = r
            rest = haystack[haystack.utf8.index(after: r.lowerBound)...]
        }
        return found
    }
}

/// Collects parsed tests up to `ParserLimits.maxTests`, cleaning names and messages.
struct TestCollector {
    private(set) var tests: [ParsedTest] = []

    var isFull: Bool { tests.count >= ParserLimits.maxTests }

    mutating func add(name: String, status: ParsedTestStatus, durationS: Double? = nil, message: String? = nil) {
        guard !isFull else { return }
        var cleanName = ParserText.name(name)
        if cleanName.isEmpty { cleanName = "(unnamed)" }
        var duration: Double?
        if let durationS, durationS.isFinite, durationS >= 0 { duration = durationS }
        tests.append(
            ParsedTest(name: cleanName, status: status, durationS: duration, message: ParserText.message(message)))
    }
}

/// Collects findings up to `ParserLimits.maxFindings`, making paths workspace-relative.
struct FindingCollector {
    let tool: String
    let workspaceRoot: String
    private(set) var findings: [LintFinding] = []

    init(tool: String, workspaceRoot: String) {
        self.tool = tool
        self.workspaceRoot = workspaceRoot
    }

    var isFull: Bool { findings.count >= ParserLimits.maxFindings }

    mutating func add(rule: String, severity: LintSeverity, path: String, line: Int?, message: String) {
        guard !isFull else { return }
        var cleanRule = ParserText.name(rule)
        if cleanRule.isEmpty { cleanRule = tool }
        findings.append(
            LintFinding(
                tool: tool, rule: cleanRule, severity: severity,
                path: WorkspacePath.relative(path, root: workspaceRoot), line: ParserText.line(line),
                message: ParserText.message(message) ?? ""))
    }
}

enum WorkspacePath {
    /// `path` relative to `root` when it lies inside it ("/work/a/b.py" -> "a/b.py"), with
    /// leading "./" removed; other absolute paths are kept as they are.
    static func relative(_ path: String, root: String) -> String {
        var p = Substring(ParserText.name(path))
        var r = Substring(root)
        while r.count > 1, r.hasSuffix("/") { r = r.dropLast() }
        if !r.isEmpty, r != "/" {
            if p == r { return "" }
            if p.hasPrefix(r + "/") { p = p.dropFirst(r.count + 1) }
        }
        while p.hasPrefix("./") { p = p.dropFirst(2) }
        return String(p)
    }
}
