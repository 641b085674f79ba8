import CrucibleAPI
import Foundation

/// Finds keys in a request body that its type does not have. A misspelt key (`"test_mod"`, `"weigths"`) would
/// otherwise be dropped without a word and the default used instead; the API refuses it and names it.
///
/// The check compares the body with the decoded value encoded again: every key the type knows comes back
/// (optional ones as null or absent, hence null input values are not counted). Map-valued fields (files,
/// labels, weights) come back with the caller's own keys, so only real unknowns remain.
enum UnknownKeys {
    static func first(in body: Data, decoded: some Encodable) -> String? {
        guard let input = try? JSONSerialization.jsonObject(with: body),
            let data = try? CrucibleJSON.encode(decoded), let known = try? JSONSerialization.jsonObject(with: data)
        else {
            return nil
        }
        return first(input, known, path: "")
    }

    private static func first(_ input: Any, _ known: Any, path: String) -> String? {
        if let object = input as? [String: Any] {
            let knownObject = known as? [String: Any] ?? [:]
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
        } else if let array = input as? [Any], let knownArray = known as? [Any] {
            for (index, element) in array.enumerated() where index < knownArray.count {
                if let found = first(element, knownArray[index], path: "\(path)[\(index)]") {
                    return found
                }
            }
        }
        return nil
    }
}
