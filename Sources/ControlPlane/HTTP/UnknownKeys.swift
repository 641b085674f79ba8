import CrucibleAPI
import Foundation

/// Finds keys in a request body that its type does not have. A misspelt key (`"test_mod"`, `"weigths"`) would
/// otherwise be dropped without a word and the default used instead; the API refuses it and names it.
///
/// The check compares the body with the keys the decoded value writes when encoded again: every key the type
/// knows comes back (optional ones as null or absent, hence null input values are not counted). Map-valued
/// fields (files, labels, weights) come back with the caller's own keys, so only real unknowns remain. The
/// value is encoded into a tree of keys (`KeyShape`), not into JSON text to be parsed again: for a run of a
/// few hundred tasks that halves what checking a body costs.
enum UnknownKeys {
    static func first(in body: Data, decoded: some Encodable) -> String? {
        guard let input = try? JSONSerialization.jsonObject(with: body), let known = try? KeyShape.of(decoded) else {
            return nil
        }
        return first(input, known, path: "")
    }

    private static func first(_ input: Any, _ known: KeyShape, path: String) -> String? {
        if let object = input as? [String: Any] {
            let knownObject = known.object ?? [:]
            for key in object.keys.sorted() {
                guard let value = object[key], !(value is NSNull) else {
                    continue
                }
                let field = path.isEmpty ? key : "\(path).\(key)"
                guard let knownValue = knownObject[key] else {
                    return field
                }
                if let found = first(value, knownValue, path: field) {
                    return found
                }
            }
        } else if let array = input as? [Any], let knownArray = known.array {
            for (index, element) in array.enumerated() where index < knownArray.count {
                if let found = first(element, knownArray[index], path: "\(path)[\(index)]") {
                    return found
                }
            }
        }
        return nil
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
