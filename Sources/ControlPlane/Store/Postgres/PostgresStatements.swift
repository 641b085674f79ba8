// SQL text as PostgreSQL's extended query protocol takes it: one statement per message, and `$1, $2, …` where the
// store writes `?`. The store writes its SQL once for both databases, with SQLite's `?`; this is the translation.

/// One statement of a script: the text around its `?` placeholders.
struct PostgresStatement: Equatable, Sendable {
    /// `pieces[0] ? pieces[1] ? … ? pieces[n]`.
    var pieces: [String]

    var parameterCount: Int { pieces.count - 1 }

    /// The statement with `$1, $2, …` for its placeholders.
    var sql: String { text(nullAt: []) }

    /// The statement for one set of values: `NULL` where the value is NULL, `$1, $2, …` (numbering only the others)
    /// elsewhere.
    ///
    /// A NULL is written into the text rather than bound: a bound NULL needs a type, and no one type fits every
    /// place (a TEXT NULL is refused by a BIGINT column; an untyped one by `? IS NULL`, whose type PostgreSQL
    /// cannot infer), while the literal NULL fits wherever a NULL can go.
    func text(nullAt nulls: Set<Int>) -> String {
        var text = pieces[0]
        var number = 0
        for index in 1..<pieces.count {
            if nulls.contains(index - 1) {
                // Spaced off from a neighbouring word, so that `x=?` and `SELECT?` stay two tokens.
                let before = text.utf8.last.map { $0.isIdentifierByte } ?? false
                let after = pieces[index].utf8.first.map { $0.isIdentifierByte } ?? false
                text += (before ? " " : "") + "NULL" + (after ? " " : "")
            } else {
                number += 1
                text += "$\(number)"
            }
            text += pieces[index]
        }
        return text
    }
}

enum PostgresStatements {
    /// Splits `sql` at its top-level semicolons and numbers each statement's `?` placeholders from `$1`.
    ///
    /// Single-quoted strings (with `''`, and backslash escapes in `E'…'`), double-quoted identifiers, dollar-quoted
    /// bodies (`$$…$$`, `$tag$…$tag$`) and comments (`--`, nested `/* */`) are copied untouched, so a `?` or `;`
    /// inside them is text. PostgreSQL's own `?` operators (jsonb's `?`, `?|`, `?&`) cannot be told from a
    /// placeholder: use the functions behind them (`jsonb_exists`, …) instead. Statements that hold only
    /// whitespace and comments are dropped.
    static func split(_ sql: String) -> [PostgresStatement] {
        var scanner = Scanner(bytes: Array(sql.utf8))
        scanner.scan()
        return scanner.statements
    }

    // Scanning bytes is safe for UTF-8 text: every byte of a multi-byte character is 0x80 or above, so none of them
    // can be mistaken for the ASCII characters the SQL syntax is made of.
    private struct Scanner {
        let bytes: [UInt8]
        var statements: [PostgresStatement] = []
        var current: [UInt8] = []
        var pieces: [String] = []
        /// Whether `current` holds more than whitespace and comments.
        var hasContent = false

        init(bytes: [UInt8]) {
            self.bytes = bytes
        }

        mutating func scan() {
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                let next = index + 1 < bytes.count ? bytes[index + 1] : 0
                switch byte {
                case .singleQuote:
                    let end = endOfQuoted(from: index, quote: .singleQuote, backslashEscapes: isEscapeString(at: index))
                    copy(index..<end, isContent: true)
                    index = end
                case .doubleQuote:
                    let end = endOfQuoted(from: index, quote: .doubleQuote, backslashEscapes: false)
                    copy(index..<end, isContent: true)
                    index = end
                case .hyphen where next == .hyphen:
                    let end = bytes[index...].firstIndex(of: .newline).map { $0 + 1 } ?? bytes.count
                    copy(index..<end, isContent: false)
                    index = end
                case .slash where next == .asterisk:
                    let end = endOfBlockComment(from: index)
                    copy(index..<end, isContent: false)
                    index = end
                case .dollar:
                    if let end = endOfDollarQuoted(from: index) {
                        copy(index..<end, isContent: true)
                        index = end
                    } else {
                        copy(index..<index + 1, isContent: true)
                        index += 1
                    }
                case .questionMark:
                    pieces.append(String(decoding: current, as: UTF8.self))
                    current = []
                    hasContent = true
                    index += 1
                case .semicolon:
                    finishStatement()
                    index += 1
                default:
                    copy(index..<index + 1, isContent: !byte.isWhitespace)
                    index += 1
                }
            }
            finishStatement()
        }

        private mutating func copy(_ range: Range<Int>, isContent: Bool) {
            current.append(contentsOf: bytes[range])
            hasContent = hasContent || isContent
        }

        private mutating func finishStatement() {
            if hasContent {
                pieces.append(String(decoding: current, as: UTF8.self))
                pieces[0] = pieces[0].trimmingLeadingWhitespace
                pieces[pieces.count - 1] = pieces[pieces.count - 1].trimmingTrailingWhitespace
                statements.append(PostgresStatement(pieces: pieces))
            }
            current = []
            pieces = []
            hasContent = false
        }

        /// The index after the closing quote; the end of the text when the quote is not closed (the server then
        /// reports the syntax error). A doubled quote is an escaped quote.
        private func endOfQuoted(from start: Int, quote: UInt8, backslashEscapes: Bool) -> Int {
            var index = start + 1
            while index < bytes.count {
                let byte = bytes[index]
                if backslashEscapes && byte == .backslash {
                    index += 2
                } else if byte == quote {
                    if index + 1 < bytes.count && bytes[index + 1] == quote {
                        index += 2
                    } else {
                        return index + 1
                    }
                } else {
                    index += 1
                }
            }
            return bytes.count
        }

        /// `E'…'` (or `e'…'`) where the E is a word of its own, not the end of an identifier.
        private func isEscapeString(at quote: Int) -> Bool {
            guard quote >= 1, bytes[quote - 1] == UInt8(ascii: "E") || bytes[quote - 1] == UInt8(ascii: "e") else {
                return false
            }
            return quote == 1 || !bytes[quote - 2].isIdentifierByte
        }

        /// PostgreSQL's block comments nest.
        private func endOfBlockComment(from start: Int) -> Int {
            var depth = 0
            var index = start
            while index < bytes.count {
                let next = index + 1 < bytes.count ? bytes[index + 1] : 0
                if bytes[index] == .slash && next == .asterisk {
                    depth += 1
                    index += 2
                } else if bytes[index] == .asterisk && next == .slash {
                    depth -= 1
                    index += 2
                    if depth == 0 {
                        return index
                    }
                } else {
                    index += 1
                }
            }
            return bytes.count
        }

        /// The end of `$tag$…$tag$` starting at `start`, or nil when the `$` opens no dollar quote (a `$1`
        /// parameter, or a `$` inside an identifier).
        private func endOfDollarQuoted(from start: Int) -> Int? {
            if start > 0 && bytes[start - 1].isIdentifierByte {
                return nil
            }
            var index = start + 1
            if index < bytes.count && bytes[index] != .dollar {
                guard bytes[index].isIdentifierStartByte else {
                    return nil
                }
                while index < bytes.count && bytes[index].isIdentifierByte && bytes[index] != .dollar {
                    index += 1
                }
            }
            guard index < bytes.count && bytes[index] == .dollar else {
                return nil
            }
            let tag = Array(bytes[start...index])
            var search = index + 1
            while search + tag.count <= bytes.count {
                if bytes[search] == .dollar && Array(bytes[search..<search + tag.count]) == tag {
                    return search + tag.count
                }
                search += 1
            }
            return bytes.count
        }
    }
}

extension UInt8 {
    fileprivate static let singleQuote = UInt8(ascii: "'")
    fileprivate static let doubleQuote = UInt8(ascii: "\"")
    fileprivate static let hyphen = UInt8(ascii: "-")
    fileprivate static let slash = UInt8(ascii: "/")
    fileprivate static let asterisk = UInt8(ascii: "*")
    fileprivate static let dollar = UInt8(ascii: "$")
    fileprivate static let questionMark = UInt8(ascii: "?")
    fileprivate static let semicolon = UInt8(ascii: ";")
    fileprivate static let backslash = UInt8(ascii: "\\")
    fileprivate static let newline = UInt8(ascii: "\n")

    fileprivate var isWhitespace: Bool {
        self == 0x20 || (0x09...0x0D).contains(self)
    }

    /// Letters, `_` and any byte of a non-ASCII character start an identifier.
    fileprivate var isIdentifierStartByte: Bool {
        (0x41...0x5A).contains(self) || (0x61...0x7A).contains(self) || self == 0x5F || self >= 0x80
    }

    /// After the start, digits and `$` too.
    fileprivate var isIdentifierByte: Bool {
        isIdentifierStartByte || (0x30...0x39).contains(self) || self == .dollar
    }
}

extension String {
    fileprivate var trimmingLeadingWhitespace: String {
        String(unicodeScalars.drop(while: { $0.properties.isWhitespace }))
    }

    fileprivate var trimmingTrailingWhitespace: String {
        var scalars = Substring(self).unicodeScalars
        while let last = scalars.last, last.properties.isWhitespace {
            scalars.removeLast()
        }
        return String(scalars)
    }
}
