import Foundation

// The one place JSON is configured. Decoding failures become `CrucibleAPIError`s that name the field,
// so a server can answer a bad body exactly like a body that fails validation.

public enum CrucibleJSON {
    /// Sorted keys: deterministic output for tests, diffs and signatures.
    public static func makeEncoder(pretty: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting =
            pretty
            ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
            : [
                .sortedKeys, .withoutEscapingSlashes,
            ]
        return encoder
    }

    public static func makeDecoder() -> JSONDecoder {
        JSONDecoder()
    }

    public static func encode(_ value: some Encodable, pretty: Bool = false) throws(CrucibleAPIError) -> Data {
        do {
            return try makeEncoder(pretty: pretty).encode(value)
        } catch let error as EncodingError {
            throw CrucibleAPIError(issue(for: error))
        } catch {
            throw CrucibleAPIError(ValidationIssue(code: .internalError, field: nil, message: "\(error)"))
        }
    }

    /// Decodes a body. The error code is the body type's (see `APIRequestBody`), else `invalid_request`.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws(CrucibleAPIError) -> T {
        do {
            return try makeDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            throw CrucibleAPIError(issue(for: error, in: type))
        } catch {
            throw CrucibleAPIError(ValidationIssue(code: .invalidRequest, field: nil, message: "\(error)"))
        }
    }

    // MARK: - Turning Foundation's errors into issues

    static func issue<T>(for error: DecodingError, in type: T.Type, prefix: FieldPath = .root) -> ValidationIssue {
        let path: FieldPath
        let message: String
        switch error {
        case .keyNotFound(let key, let context):
            path = fieldPath(context.codingPath + [key], prefix: prefix)
            message = "is missing; add \"\(key.stringValue)\""
        case .valueNotFound(let expected, let context):
            path = fieldPath(context.codingPath, prefix: prefix)
            message = "must not be null; give \(describe(expected))"
        case .typeMismatch(let expected, let context):
            path = fieldPath(context.codingPath, prefix: prefix)
            message = "must be \(describe(expected))"
        case .dataCorrupted(let context):
            path = fieldPath(context.codingPath, prefix: prefix)
            if context.codingPath.isEmpty {
                let detail = context.underlyingError.map { " (\($0.localizedDescription))" } ?? ""
                message = "the body is not valid JSON\(detail); send one JSON object"
            } else {
                message = context.debugDescription
            }
        @unknown default:
            path = prefix
            message = "\(error)"
        }
        let code = (T.self as? any APIRequestBody.Type)?.errorCode(for: path) ?? .invalidRequest
        return ValidationIssue(code: code, field: path.fieldValue, message: message)
    }

    static func issue(for error: EncodingError) -> ValidationIssue {
        switch error {
        case .invalidValue(let value, let context):
            let path = fieldPath(context.codingPath, prefix: .root)
            return ValidationIssue(
                code: .internalError, field: path.fieldValue,
                message: "cannot encode \(value) as JSON (NaN and infinity have no JSON form)")
        @unknown default:
            return ValidationIssue(code: .internalError, field: nil, message: "\(error)")
        }
    }

    /// Fields whose values are free-form maps: their keys print as `["key"]`.
    static let mapFields: Set<String> = ["files", "tests", "reference", "weights", "labels", "checks"]

    static func fieldPath(_ codingPath: [any CodingKey], prefix: FieldPath) -> FieldPath {
        var path = prefix
        var previous: FieldPath.Component? = prefix.components.last
        for key in codingPath {
            let component: FieldPath.Component
            if let index = key.intValue, key.stringValue == "Index \(index)" {
                component = .index(index)  // how JSONDecoder names array positions
            } else if case .field(let name) = previous, mapFields.contains(name) {
                component = .key(key.stringValue)
            } else if let index = key.intValue, key.stringValue.isEmpty || key.stringValue == String(index) {
                component = .index(index)
            } else {
                component = .field(key.stringValue)
            }
            path = path.appending(component)
            previous = component
        }
        return path
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type, is Substring.Type: return "a string"
        case is Bool.Type: return "true or false"
        case is Int.Type, is Int64.Type, is Int32.Type, is UInt.Type, is UInt64.Type: return "an integer"
        case is Double.Type, is Float.Type: return "a number"
        default:
            let name = String(describing: type)
            if name.hasPrefix("Array") || name.hasPrefix("[") && !name.contains(":") {
                return "an array"
            }
            return "an object"
        }
    }
}

/// A request body type: says which error code a decoding failure at a given path gets.
public protocol APIRequestBody: Codable, Sendable {
    static func errorCode(for path: FieldPath) -> ErrorCode
}

extension APIRequestBody {
    public static func errorCode(for path: FieldPath) -> ErrorCode { .invalidRequest }
}
