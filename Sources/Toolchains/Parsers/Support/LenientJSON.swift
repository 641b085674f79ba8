// A small JSON reader that survives truncation. Linter and runner outputs are capped by the
// sandbox (output_kib), so an array of findings may stop mid-object: this reader returns every
// value it could read, with arrays and objects that the input cut off marked incomplete.
// Callers keep complete records only. Own parser rather than JSONSerialization: that one is
// all-or-nothing and its NSNumber bridging differs across platforms.

enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue], complete: Bool)
    case object([String: JSONValue], complete: Bool)

    subscript(key: String) -> JSONValue? {
        if case .object(let members, _) = self { return members[key] }
        return nil
    }

    var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    var number: Double? {
        if case .number(let d) = self { return d }
        return nil
    }

    var int: Int? {
        guard let d = number, d.isFinite, d.rounded() == d, abs(d) < 1e15 else { return nil }
        return Int(d)
    }

    var bool: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    var array: [JSONValue]? {
        if case .array(let items, _) = self { return items }
        return nil
    }

    var isObject: Bool {
        if case .object = self { return true }
        return false
    }

    /// False for arrays and objects the input ended inside of; true for everything else.
    var isComplete: Bool {
        switch self {
        case .array(_, let complete), .object(_, let complete): return complete
        default: return true
        }
    }
}

enum LenientJSON {
    /// Reads one value starting at the first non-space byte. Returns nil when the text does not
    /// start with a JSON value. Text after the value is ignored.
    static func parse(_ text: String, format: String) throws(OutputParseError) -> JSONValue? {
        var reader = Reader(bytes: Array(text.utf8), format: format)
        reader.skipSpaces()
        return try reader.value(depth: 0)
    }

    /// Every top-level JSON object in `text` that starts a line (after indentation), in order:
    /// for tools that print one object per line or concatenate objects between plain-text lines.
    /// Lines that are not JSON are skipped; `limit` bounds the number of values read.
    static func objects(in text: String, limit: Int) -> [JSONValue] {
        var reader = Reader(bytes: Array(text.utf8), format: "json")
        var values: [JSONValue] = []
        while reader.position < reader.bytes.count, values.count < limit {
            reader.skipSpaces()
            guard reader.position < reader.bytes.count else { break }
            if reader.bytes[reader.position] == UInt8(ascii: "{") {
                let start = reader.position
                if let value = try? reader.value(depth: 0), value.isObject {
                    values.append(value)
                    // A value that spans to the end of a line is done; junk after it is skipped.
                    continue
                }
                reader.position = start
            }
            reader.skipLine()
        }
        return values
    }

    struct Reader {
        let bytes: [UInt8]
        let format: String
        var position = 0

        init(bytes: [UInt8], format: String) {
            self.bytes = bytes
            self.format = format
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
        }

        var atEnd: Bool { position >= bytes.count }

        mutating func skipSpaces() {
            while position < bytes.count {
                let b = bytes[position]
                guard b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D else { return }
                position += 1
            }
        }

        mutating func skipLine() {
            while position < bytes.count, bytes[position] != 0x0A { position += 1 }
            if position < bytes.count { position += 1 }
        }

        /// nil: the input ended before a value began (or inside a scalar). Throws on bytes that
        /// cannot start a value.
        mutating func value(depth: Int) throws(OutputParseError) -> JSONValue? {
            skipSpaces()
            guard position < bytes.count else { return nil }
            guard depth < ParserLimits.maxDepth else {
                throw OutputParseError(format: format, reason: "nested deeper than \(ParserLimits.maxDepth) levels")
            }
            switch bytes[position] {
            case UInt8(ascii: "{"): return try object(depth: depth)
            case UInt8(ascii: "["): return try array(depth: depth)
            case UInt8(ascii: "\""): return try string().map { .string($0) }
            case UInt8(ascii: "t"): return try literal("true", .bool(true))
            case UInt8(ascii: "f"): return try literal("false", .bool(false))
            case UInt8(ascii: "n"): return try literal("null", .null)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
            default:
                throw OutputParseError(format: format, reason: "unexpected byte at offset \(position)")
            }
        }

        mutating func literal(_ word: String, _ value: JSONValue) throws(OutputParseError) -> JSONValue? {
            for b in word.utf8 {
                guard position < bytes.count else { return nil }
                guard bytes[position] == b else {
                    throw OutputParseError(format: format, reason: "bad literal at offset \(position)")
                }
                position += 1
            }
            return value
        }

        mutating func number() throws(OutputParseError) -> JSONValue? {
            let start = position
            while position < bytes.count {
                let b = bytes[position]
                let numeric =
                    (b >= 0x30 && b <= 0x39) || b == UInt8(ascii: "-") || b == UInt8(ascii: "+")
                    || b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E")
                guard numeric else { break }
                position += 1
            }
            // A number running into the end of input may be cut short: treat it as missing.
            guard position < bytes.count else { return nil }
            guard position - start <= 64, let d = Double(String(decoding: bytes[start..<position], as: UTF8.self))
            else { throw OutputParseError(format: format, reason: "bad number at offset \(start)") }
            return .number(d)
        }

        /// nil when the input ends inside the string. A raw line break inside a string is
        /// malformed (JSON escapes them), which keeps one bad line from swallowing the next.
        mutating func string() throws(OutputParseError) -> String? {
            position += 1  // opening quote
            var out: [UInt8] = []
            while position < bytes.count {
                let b = bytes[position]
                if b == UInt8(ascii: "\"") {
                    position += 1
                    return String(decoding: out, as: UTF8.self)
                }
                if b == UInt8(ascii: "\\") {
                    guard position + 1 < bytes.count else { return nil }
                    let e = bytes[position + 1]
                    position += 2
                    switch e {
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "u"):
                        guard let unit = hex4() else { return nil }
                        var scalar: Unicode.Scalar?
                        if (0xD800...0xDBFF).contains(unit), position + 1 < bytes.count,
                            bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u")
                        {
                            let save = position
                            position += 2
                            if let low = hex4(), (0xDC00...0xDFFF).contains(low) {
                                scalar = Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
                            } else {
                                position = save
                            }
                        } else {
                            scalar = Unicode.Scalar(unit)
                        }
                        let replacement: Unicode.Scalar = "\u{FFFD}"
                        out.append(contentsOf: Array(String(Character(scalar ?? replacement)).utf8))
                    default: out.append(e)  // \" \\ \/ and anything unknown: the character itself
                    }
                    continue
                }
                if b == 0x0A {
                    throw OutputParseError(format: format, reason: "line break inside a string at offset \(position)")
                }
                out.append(b)
                position += 1
            }
            return nil
        }

        mutating func hex4() -> UInt32? {
            guard position + 4 <= bytes.count else {
                position = bytes.count
                return nil
            }
            let text = String(decoding: bytes[position..<(position + 4)], as: UTF8.self)
            position += 4
            return UInt32(text, radix: 16) ?? 0xFFFD
        }

        mutating func array(depth: Int) throws(OutputParseError) -> JSONValue {
            position += 1
            var items: [JSONValue] = []
            while true {
                skipSpaces()
                guard position < bytes.count else { return .array(items, complete: false) }
                if bytes[position] == UInt8(ascii: "]") {
                    position += 1
                    return .array(items, complete: true)
                }
                if bytes[position] == UInt8(ascii: ",") {
                    position += 1
                    continue
                }
                guard let item = try value(depth: depth + 1) else { return .array(items, complete: false) }
                items.append(item)
                if !item.isComplete { return .array(items, complete: false) }
            }
        }

        mutating func object(depth: Int) throws(OutputParseError) -> JSONValue {
            position += 1
            var members: [String: JSONValue] = [:]
            while true {
                skipSpaces()
                guard position < bytes.count else { return .object(members, complete: false) }
                let b = bytes[position]
                if b == UInt8(ascii: "}") {
                    position += 1
                    return .object(members, complete: true)
                }
                if b == UInt8(ascii: ",") {
                    position += 1
                    continue
                }
                guard b == UInt8(ascii: "\"") else {
                    throw OutputParseError(format: format, reason: "expected a key at offset \(position)")
                }
                guard let key = try string() else { return .object(members, complete: false) }
                skipSpaces()
                guard position < bytes.count else { return .object(members, complete: false) }
                guard bytes[position] == UInt8(ascii: ":") else {
                    throw OutputParseError(format: format, reason: "expected ':' at offset \(position)")
                }
                position += 1
                guard let item = try value(depth: depth + 1) else { return .object(members, complete: false) }
                if members[key] == nil { members[key] = item }
                if !item.isComplete { return .object(members, complete: false) }
            }
        }
    }
}
