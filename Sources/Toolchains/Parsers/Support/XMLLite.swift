// A small, forgiving XML reader for the JUnit and checkstyle subset: elements, attributes
// (either quote style, unquoted tolerated), text, CDATA, comments, processing instructions,
// DOCTYPE (skipped), the five predefined entities and numeric character references.
//
// Why not XMLParser: FoundationXML links libxml2 into the static binary. Why forgiving: reports
// come from runs that may have been killed mid-write, so a missing end is normal; elements never
// closed are kept with `closed == false` and callers decide whether to trust them. Attribute
// values are not whitespace-normalised: failure messages keep their line breaks.

struct XMLLiteElement: Sendable {
    var name: String
    var attributes: [String: String]
    /// Direct text and CDATA content, concatenated (capped; see XMLLiteReader.maxTextBytes).
    var text: String
    var children: [Int]
    /// False when the input ended before this element's end tag.
    var closed: Bool

    func attribute(_ key: String) -> String? { attributes[key] }
}

struct XMLLiteDocument: Sendable {
    /// Every element, in document order; `children` index into this array.
    var elements: [XMLLiteElement]
    /// The first top-level element, if any.
    var root: Int?

    func children(of index: Int, named name: String) -> [Int] {
        elements[index].children.filter { elements[$0].name == name }
    }
}

enum XMLLiteReader {
    /// Text kept per element; the rest is dropped (messages are capped far below this).
    static let maxTextBytes = 64 * 1024
    /// Guard against element floods (a report of millions of empty tags).
    static let maxElements = 2_000_000

    /// Parses `text`; throws only when nesting exceeds ParserLimits.maxDepth or the element
    /// count is absurd. Anything before the first element or after the root is ignored.
    static func parse(_ text: String, format: String) throws(OutputParseError) -> XMLLiteDocument {
        var parser = Scanner(bytes: Array(text.utf8), format: format)
        try parser.run()
        return XMLLiteDocument(elements: parser.elements, root: parser.root)
    }

    private struct Scanner {
        let bytes: [UInt8]
        let format: String
        var i = 0
        var elements: [XMLLiteElement] = []
        var stack: [Int] = []
        var root: Int?
        var textBuffers: [Int: [UInt8]] = [:]

        init(bytes: [UInt8], format: String) {
            self.bytes = bytes
            self.format = format
            // UTF-8 byte order mark
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        }

        mutating func run() throws(OutputParseError) {
            let n = bytes.count
            while i < n {
                if bytes[i] == UInt8(ascii: "<") {
                    if startsWith("<!--") {
                        skip(past: Array("-->".utf8), from: i + 4)
                    } else if startsWith("<![CDATA[") {
                        let start = i + 9
                        let end = find(Array("]]>".utf8), from: start) ?? n
                        appendText(bytes[start..<end], decodeEntities: false)
                        i = min(n, end + 3)
                    } else if startsWith("<?") {
                        skip(past: Array("?>".utf8), from: i + 2)
                    } else if startsWith("<!") {
                        skipDeclaration()
                    } else if i + 1 < n, bytes[i + 1] == UInt8(ascii: "/") {
                        endTag()
                    } else if i + 1 < n, isNameStart(bytes[i + 1]) {
                        try startTag()
                    } else {
                        // A stray "<" (e.g. "a < b" from a sloppy writer): keep it as text.
                        appendText(bytes[i..<(i + 1)], decodeEntities: false)
                        i += 1
                    }
                } else {
                    let start = i
                    while i < n, bytes[i] != UInt8(ascii: "<") { i += 1 }
                    appendText(bytes[start..<i], decodeEntities: true)
                }
            }
            // Input ended: whatever is still open stays unclosed.
            for index in stack { flushText(index) }
            stack.removeAll()
        }

        func startsWith(_ s: String) -> Bool {
            var k = i
            for b in s.utf8 {
                guard k < bytes.count, bytes[k] == b else { return false }
                k += 1
            }
            return true
        }

        func find(_ needle: [UInt8], from start: Int) -> Int? {
            guard let first = needle.first else { return nil }
            var k = start
            let n = bytes.count
            while k + needle.count <= n {
                if bytes[k] == first {
                    var m = 1
                    while m < needle.count, bytes[k + m] == needle[m] { m += 1 }
                    if m == needle.count { return k }
                }
                k += 1
            }
            return nil
        }

        mutating func skip(past needle: [UInt8], from start: Int) {
            if let end = find(needle, from: start) { i = end + needle.count } else { i = bytes.count }
        }

        /// <!DOCTYPE …> with an optional internal subset in brackets.
        mutating func skipDeclaration() {
            var depth = 0
            var k = i + 2
            while k < bytes.count {
                let b = bytes[k]
                if b == UInt8(ascii: "[") {
                    depth += 1
                } else if b == UInt8(ascii: "]") {
                    depth = max(0, depth - 1)
                } else if b == UInt8(ascii: ">"), depth == 0 {
                    i = k + 1
                    return
                }
                k += 1
            }
            i = bytes.count
        }

        func isNameStart(_ b: UInt8) -> Bool {
            (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == UInt8(ascii: "_") || b == UInt8(ascii: ":")
                || b >= 0x80
        }

        func isNameChar(_ b: UInt8) -> Bool {
            isNameStart(b) || (b >= 0x30 && b <= 0x39) || b == UInt8(ascii: "-") || b == UInt8(ascii: ".")
        }

        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

        mutating func readName() -> String {
            let start = i
            while i < bytes.count, isNameChar(bytes[i]) { i += 1 }
            return String(decoding: bytes[start..<i], as: UTF8.self)
        }

        mutating func skipSpaces() {
            while i < bytes.count, isSpace(bytes[i]) { i += 1 }
        }

        mutating func startTag() throws(OutputParseError) {
            i += 1
            let name = readName()
            var attributes: [String: String] = [:]
            var selfClosing = false
            var complete = false
            while i < bytes.count {
                skipSpaces()
                guard i < bytes.count else { break }
                let b = bytes[i]
                if b == UInt8(ascii: ">") {
                    i += 1
                    complete = true
                    break
                }
                if b == UInt8(ascii: "/") {
                    i += 1
                    if i < bytes.count, bytes[i] == UInt8(ascii: ">") {
                        i += 1
                        selfClosing = true
                        complete = true
                        break
                    }
                    continue
                }
                guard isNameStart(b) else {
                    i += 1  // junk inside a tag: skip it
                    continue
                }
                let key = readName()
                skipSpaces()
                var value = ""
                if i < bytes.count, bytes[i] == UInt8(ascii: "=") {
                    i += 1
                    skipSpaces()
                    guard i < bytes.count else { break }
                    let quote = bytes[i]
                    if quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") {
                        let start = i + 1
                        var k = start
                        while k < bytes.count, bytes[k] != quote { k += 1 }
                        guard k < bytes.count else {
                            i = bytes.count
                            break
                        }
                        value = XMLLiteReader.decode(bytes[start..<k])
                        i = k + 1
                    } else {
                        let start = i
                        while i < bytes.count, !isSpace(bytes[i]), bytes[i] != UInt8(ascii: ">") { i += 1 }
                        value = XMLLiteReader.decode(bytes[start..<i])
                    }
                }
                if attributes[key] == nil { attributes[key] = value }
            }
            guard complete else {
                // The input ended inside this tag: the element never really started.
                i = bytes.count
                return
            }
            guard elements.count < XMLLiteReader.maxElements else {
                throw OutputParseError(format: format, reason: "more than \(XMLLiteReader.maxElements) XML elements")
            }
            if stack.isEmpty, root != nil {
                // Content after the root element (e.g. a second document appended): ignore.
                if selfClosing { return }
            }
            let index = elements.count
            elements.append(
                XMLLiteElement(name: name, attributes: attributes, text: "", children: [], closed: selfClosing))
            if let parent = stack.last {
                elements[parent].children.append(index)
            } else if root == nil {
                root = index
            }
            if !selfClosing {
                guard stack.count < ParserLimits.maxDepth else {
                    throw OutputParseError(
                        format: format, reason: "XML nested deeper than \(ParserLimits.maxDepth) levels")
                }
                stack.append(index)
            }
        }

        mutating func endTag() {
            i += 2
            let name = readName()
            while i < bytes.count, bytes[i] != UInt8(ascii: ">") { i += 1 }
            guard i < bytes.count else { return }  // truncated inside the end tag: not closed
            i += 1
            // Close the nearest open element with this name, and anything left open inside it (its
            // content has ended too); an end tag that matches nothing is ignored.
            guard let position = stack.lastIndex(where: { elements[$0].name == name }) else { return }
            for index in stack[position...].reversed() {
                flushText(index)
                elements[index].closed = true
            }
            stack.removeSubrange(position...)
        }

        mutating func appendText(_ slice: ArraySlice<UInt8>, decodeEntities: Bool) {
            guard let top = stack.last, !slice.isEmpty else { return }
            let count = textBuffers[top]?.count ?? 0
            guard count < XMLLiteReader.maxTextBytes else { return }
            let piece = slice.prefix(XMLLiteReader.maxTextBytes - count)
            if decodeEntities {
                textBuffers[top, default: []].append(contentsOf: XMLLiteReader.decodeBytes(piece))
            } else {
                textBuffers[top, default: []].append(contentsOf: piece)
            }
        }

        mutating func flushText(_ index: Int) {
            if let buffer = textBuffers.removeValue(forKey: index) {
                elements[index].text = String(decoding: buffer, as: UTF8.self)
            }
        }
    }

    /// True when the first non-space character is "<": XML that may have been cut short, as
    /// opposed to text that never was XML.
    static func looksLikeXML(_ text: String) -> Bool {
        var utf8 = Substring(text).utf8
        if utf8.starts(with: [0xEF, 0xBB, 0xBF]) { utf8 = utf8.dropFirst(3) }
        return utf8.first { !ParserText.isSpace($0) } == UInt8(ascii: "<")
    }

    /// Decodes entities and character references in attribute values and text.
    static func decode(_ slice: ArraySlice<UInt8>) -> String {
        String(decoding: decodeBytes(slice), as: UTF8.self)
    }

    static func decodeBytes(_ slice: ArraySlice<UInt8>) -> [UInt8] {
        guard slice.contains(UInt8(ascii: "&")) else { return Array(slice) }
        var out: [UInt8] = []
        out.reserveCapacity(slice.count)
        var k = slice.startIndex
        let end = slice.endIndex
        while k < end {
            let b = slice[k]
            guard b == UInt8(ascii: "&") else {
                out.append(b)
                k += 1
                continue
            }
            // An entity is at most a few characters: look for ";" nearby only.
            var semi = k + 1
            while semi < end, semi - k <= 12, slice[semi] != UInt8(ascii: ";") { semi += 1 }
            guard semi < end, slice[semi] == UInt8(ascii: ";") else {
                out.append(b)
                k += 1
                continue
            }
            let body = slice[(k + 1)..<semi]
            if let replacement = entity(body) {
                out.append(contentsOf: replacement)
                k = semi + 1
            } else {
                out.append(b)
                k += 1
            }
        }
        return out
    }

    private static func entity(_ body: ArraySlice<UInt8>) -> [UInt8]? {
        switch String(decoding: body, as: UTF8.self) {
        case "lt": return [UInt8(ascii: "<")]
        case "gt": return [UInt8(ascii: ">")]
        case "amp": return [UInt8(ascii: "&")]
        case "quot": return [UInt8(ascii: "\"")]
        case "apos": return [UInt8(ascii: "'")]
        default: break
        }
        guard body.first == UInt8(ascii: "#"), body.count >= 2 else { return nil }
        var digits = body.dropFirst()
        var radix = 10
        if digits.first == UInt8(ascii: "x") || digits.first == UInt8(ascii: "X") {
            radix = 16
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty, digits.count <= 8,
            let value = UInt32(String(decoding: digits, as: UTF8.self), radix: radix)
        else { return nil }
        // NUL, surrogates and out-of-range values become U+FFFD rather than failing.
        let replacement: Unicode.Scalar = "\u{FFFD}"
        let scalar = (value == 0 ? nil : Unicode.Scalar(value)) ?? replacement
        return Array(String(Character(scalar)).utf8)
    }
}
