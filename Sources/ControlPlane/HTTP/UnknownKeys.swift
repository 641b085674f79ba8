import CrucibleAPI
import Foundation

/// Finds keys in a request body that its type does not have. A misspelt key (`"test_mod"`, `"weigths"`) would
/// otherwise be dropped without a word and the default used instead; the API refuses it and names it.
///
/// The check compares the body with the keys the decoded value writes when encoded again: every key the type
/// knows comes back (optional ones as null or absent, hence null input values are not counted). Map-valued
/// fields (files, labels, weights) come back with the caller's own keys, so only real unknowns remain. The
/// value is encoded into a tree of keys (`KeyShape`), and the body's text is walked against it (`KeyScanner`)
/// without building anything: parsing it into Foundation's objects first cost as much as decoding it.
enum UnknownKeys {
    /// The path of the first unknown key in the body's order (`steps[0].exit_mening`), or nil.
    static func first(in body: Data, decoded: some Encodable) -> String? {
        guard let known = try? KeyShape.of(decoded) else { return nil }
        return body.withUnsafeBytes { bytes in
            var scanner = KeyScanner(bytes: bytes)
            return scanner.firstUnknown(known, path: "")
        }
    }
}

/// Walks JSON text that the decoder has already accepted, comparing its object keys with a `KeyShape`. It
/// descends only where the shape does (so no deeper than the type), and skips everything else without
/// recursion. Text that turns out not to be JSON after all ends the walk with nothing found.
private struct KeyScanner {
    let bytes: UnsafeRawBufferPointer
    var at = 0

    private static let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")

    mutating func firstUnknown(_ known: KeyShape, path: String) -> String? {
        skipSpace()
        guard at < bytes.count else { return nil }
        switch bytes[at] {
        case UInt8(ascii: "{"):
            return firstUnknownInObject(known.object ?? [:], path: path)
        case UInt8(ascii: "["):
            guard let elements = known.array else { break }
            return firstUnknownInArray(elements, path: path)
        default:
            break
        }
        skipValue()
        return nil
    }

    private mutating func firstUnknownInObject(_ keys: [String: KeyShape], path: String) -> String? {
        at += 1
        while true {
            if closes(UInt8(ascii: "}")) { return nil }
            guard let key = readString() else { return nil }
            skipSpace()
            guard at < bytes.count, bytes[at] == UInt8(ascii: ":") else { return nil }
            at += 1
            skipSpace()
            guard at < bytes.count else { return nil }
            if bytes[at] == UInt8(ascii: "n") {
                skipValue()  // null: an absent optional, whatever its name
            } else {
                let field = path.isEmpty ? key : "\(path).\(key)"
                guard let shape = keys[key] else { return field }
                if let found = firstUnknown(shape, path: field) { return found }
            }
            guard skipComma() else { return nil }
        }
    }

    private mutating func firstUnknownInArray(_ elements: [KeyShape], path: String) -> String? {
        at += 1
        var index = 0
        while true {
            if closes(UInt8(ascii: "]")) { return nil }
            if index < elements.count {
                if let found = firstUnknown(elements[index], path: "\(path)[\(index)]") { return found }
            } else {
                skipValue()
            }
            index += 1
            guard skipComma() else { return nil }
        }
    }

    /// Past the closing bracket when it comes next (an empty container), or at the end of the text: true.
    private mutating func closes(_ closing: UInt8) -> Bool {
        skipSpace()
        guard at < bytes.count else { return true }
        guard bytes[at] == closing else { return false }
        at += 1
        return true
    }

    /// Past a comma (true) or whatever comes instead (false: the container's closing bracket, or broken text).
    private mutating func skipComma() -> Bool {
        skipSpace()
        guard at < bytes.count else { return false }
        let byte = bytes[at]
        at += 1
        return byte == UInt8(ascii: ",")
    }

    /// Past one whole value of any kind, nested ones included, counting brackets instead of recursing.
    private mutating func skipValue() {
        var depth = 0
        repeat {
            skipSpace()
            guard at < bytes.count else { return }
            switch bytes[at] {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                at += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                at += 1
            case Self.quote:
                skipString()
            case UInt8(ascii: ","), UInt8(ascii: ":"):
                at += 1
            default:  // a number, true, false or null
                while at < bytes.count, !Self.endsScalar(bytes[at]) { at += 1 }
            }
        } while depth > 0
    }

    private static func endsScalar(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") || isSpace(byte)
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
            || byte == UInt8(ascii: "\t")
    }

    private mutating func skipSpace() {
        while at < bytes.count, Self.isSpace(bytes[at]) { at += 1 }
    }

    private mutating func skipString() {
        at += 1
        while at < bytes.count {
            let byte = bytes[at]
            at += byte == Self.backslash ? 2 : 1
            if byte == Self.quote { return }
        }
    }

    /// The string at `at`, its escapes decoded (keys are compared as the decoder saw them); nil if none is there.
    private mutating func readString() -> String? {
        guard at < bytes.count, bytes[at] == Self.quote else { return nil }
        let start = at + 1
        skipString()
        let text = UnsafeRawBufferPointer(rebasing: bytes[start..<max(start, at - 1)])
        guard text.contains(Self.backslash) else { return String(decoding: text, as: UTF8.self) }
        // Rare in keys: let Foundation decode the escapes of this one string.
        let literal = Data(UnsafeRawBufferPointer(rebasing: bytes[(start - 1)..<at]))
        return try? JSONDecoder().decode(String.self, from: literal)
    }
}

/// The shape of an encoded value, keys only: an object (its keys and their shapes), an array (its elements'
/// shapes) or a leaf (whose value does not matter here). Built by encoding the value with `KeyShapeEncoder`,
/// which keeps the keys `JSONEncoder` would write and nothing else.
final class KeyShape {
    /// Non-nil for an object.
    fileprivate(set) var object: [String: KeyShape]?
    /// Non-nil for an array.
    fileprivate(set) var array: [KeyShape]?

    static func of(_ value: some Encodable) throws -> KeyShape {
        let root = KeyShape()
        try value.encode(to: KeyShapeEncoder(shape: root, codingPath: []))
        return root
    }
}

private struct KeyShapeEncoder: Encoder {
    let shape: KeyShape
    var codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if shape.object == nil {
            shape.object = [:]
        }
        return KeyedEncodingContainer(KeyedShapeContainer<Key>(shape: shape, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if shape.array == nil {
            shape.array = []
        }
        return UnkeyedShapeContainer(shape: shape, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        LeafShapeContainer(shape: shape, codingPath: codingPath)
    }
}

private struct KeyedShapeContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let shape: KeyShape
    var codingPath: [any CodingKey]

    /// An encoder for a new child shape under `name`.
    private func child(_ name: String, codingPath: [any CodingKey]) -> KeyShapeEncoder {
        let child = KeyShape()
        shape.object?[name] = child
        return KeyShapeEncoder(shape: child, codingPath: codingPath)
    }

    /// An explicit null is written by `JSONEncoder`, so its key is known.
    mutating func encodeNil(forKey key: Key) throws {
        _ = child(key.stringValue, codingPath: codingPath)
    }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try value.encode(to: child(key.stringValue, codingPath: codingPath + [key]))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        child(key.stringValue, codingPath: codingPath + [key]).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        child(key.stringValue, codingPath: codingPath + [key]).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        child("super", codingPath: codingPath)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        child(key.stringValue, codingPath: codingPath)
    }
}

private struct UnkeyedShapeContainer: UnkeyedEncodingContainer {
    let shape: KeyShape
    var codingPath: [any CodingKey]
    var count: Int { shape.array?.count ?? 0 }

    private func append() -> KeyShape {
        let child = KeyShape()
        shape.array?.append(child)
        return child
    }

    mutating func encodeNil() throws {
        _ = append()
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try value.encode(to: KeyShapeEncoder(shape: append(), codingPath: codingPath))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
        -> KeyedEncodingContainer<NestedKey>
    {
        KeyShapeEncoder(shape: append(), codingPath: codingPath).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        KeyShapeEncoder(shape: append(), codingPath: codingPath).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        KeyShapeEncoder(shape: append(), codingPath: codingPath)
    }
}

/// A single value: a leaf, unless it encodes itself as an object or array (a nested struct or collection).
private struct LeafShapeContainer: SingleValueEncodingContainer {
    let shape: KeyShape
    var codingPath: [any CodingKey]

    mutating func encodeNil() throws {}
    mutating func encode(_ value: Bool) throws {}
    mutating func encode(_ value: String) throws {}
    mutating func encode(_ value: Double) throws {}
    mutating func encode(_ value: Float) throws {}
    mutating func encode(_ value: Int) throws {}
    mutating func encode(_ value: Int8) throws {}
    mutating func encode(_ value: Int16) throws {}
    mutating func encode(_ value: Int32) throws {}
    mutating func encode(_ value: Int64) throws {}
    mutating func encode(_ value: UInt) throws {}
    mutating func encode(_ value: UInt8) throws {}
    mutating func encode(_ value: UInt16) throws {}
    mutating func encode(_ value: UInt32) throws {}
    mutating func encode(_ value: UInt64) throws {}

    mutating func encode<T: Encodable>(_ value: T) throws {
        try value.encode(to: KeyShapeEncoder(shape: shape, codingPath: codingPath))
    }
}
