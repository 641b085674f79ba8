import Foundation
import Testing

@testable import CrucibleAPI

/// Any JSON document, for comparing bodies as JSON rather than as text (key order and number spelling differ).
enum JSONValue: Codable, Equatable, CustomStringConvertible {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    init(json: String) throws {
        self = try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
    }

    init(encoding value: some Encodable) throws {
        self = try JSONDecoder().decode(JSONValue.self, from: try CrucibleJSON.encode(value))
    }

    var description: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? String(decoding: encoder.encode(self), as: UTF8.self)) ?? "?"
    }

    var objectKeys: Set<String> {
        if case .object(let object) = self {
            return Set(object.keys)
        }
        return []
    }

    subscript(key: String) -> JSONValue? {
        if case .object(let object) = self {
            return object[key]
        }
        return nil
    }

    /// Every place the two documents differ, as "path: expected … got …" lines.
    static func differences(_ expected: JSONValue, _ actual: JSONValue, at path: String = "$") -> [String] {
        switch (expected, actual) {
        case (.object(let lhs), .object(let rhs)):
            var found: [String] = []
            for key in Set(lhs.keys).union(rhs.keys).sorted() {
                switch (lhs[key], rhs[key]) {
                case (let left?, let right?): found += differences(left, right, at: "\(path).\(key)")
                case (_?, nil): found.append("\(path).\(key): missing from the encoding")
                case (nil, _?): found.append("\(path).\(key): not in the example")
                case (nil, nil): break
                }
            }
            return found
        case (.array(let lhs), .array(let rhs)) where lhs.count == rhs.count:
            return zip(lhs, rhs).enumerated().flatMap { differences($1.0, $1.1, at: "\(path)[\($0)]") }
        default:
            return expected == actual ? [] : ["\(path): expected \(expected), got \(actual)"]
        }
    }
}

/// Decodes `json` as `T`, encodes it again, and records every difference between the two documents.
@discardableResult
func expectRoundTrip<T: Codable>(
    _ type: T.Type, _ json: String, sourceLocation: SourceLocation = #_sourceLocation
) throws -> T {
    let value = try CrucibleJSON.decode(T.self, from: Data(json.utf8))
    let expected = try JSONValue(json: json)
    let actual = try JSONValue(encoding: value)
    let differences = JSONValue.differences(expected, actual)
    #expect(
        differences.isEmpty, "\(T.self) round trip:\n\(differences.joined(separator: "\n"))",
        sourceLocation: sourceLocation)
    // Decoding what we encoded gives the same value back.
    let again = try CrucibleJSON.decode(T.self, from: try CrucibleJSON.encode(value))
    #expect(try JSONValue(encoding: again) == actual, sourceLocation: sourceLocation)
    return value
}

/// Decodes a body that must fail, returning the error.
func decodeFailure<T: Decodable>(
    _ type: T.Type, _ json: String, sourceLocation: SourceLocation = #_sourceLocation
) -> CrucibleAPIError? {
    do {
        _ = try CrucibleJSON.decode(T.self, from: Data(json.utf8))
        Issue.record("decoding \(T.self) should have failed", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}
