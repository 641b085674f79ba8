// Where in a request body a problem is, printed the way a person would point at it:
// `tasks[3].language`, `candidates[0].files["../x"]`, `weights["speeed"]`.

public struct FieldPath: Sendable, Hashable, CustomStringConvertible {
    public enum Component: Sendable, Hashable {
        /// A field of an object with a fixed shape: `.name`.
        case field(String)
        /// A position in an array: `[3]`.
        case index(Int)
        /// A key of a free-form map (file paths, weights, labels): `["key"]`, quoted and escaped.
        case key(String)
    }

    public private(set) var components: [Component]

    public init(_ components: [Component] = []) {
        self.components = components
    }

    /// The whole body.
    public static let root = FieldPath()

    public func field(_ name: String) -> FieldPath { appending(.field(name)) }
    public func index(_ index: Int) -> FieldPath { appending(.index(index)) }
    public func key(_ key: String) -> FieldPath { appending(.key(key)) }

    public func appending(_ component: Component) -> FieldPath {
        FieldPath(components + [component])
    }

    public var isRoot: Bool { components.isEmpty }

    /// The first field name, e.g. "tasks" for `tasks[3].language`.
    public var firstField: String? {
        guard case .field(let name) = components.first else {
            return nil
        }
        return name
    }

    public var description: String {
        var text = ""
        for component in components {
            switch component {
            case .field(let name):
                text += text.isEmpty ? name : ".\(name)"
            case .index(let index):
                text += "[\(index)]"
            case .key(let key):
                text += "[\(Self.quoted(key))]"
            }
        }
        return text
    }

    /// The path as an issue's `field`: nil for the root.
    public var fieldValue: String? { isRoot ? nil : description }

    /// JSON-style quoting, so a key with quotes, backslashes or control characters stays unambiguous.
    static func quoted(_ key: String) -> String {
        var text = "\""
        for scalar in key.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\t": text += "\\t"
            case "\r": text += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    text += "\\u" + hex4(scalar.value)
                } else {
                    text.unicodeScalars.append(scalar)
                }
            }
        }
        return text + "\""
    }

    private static func hex4(_ value: UInt32) -> String {
        let hex = String(value, radix: 16, uppercase: false)
        return String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
