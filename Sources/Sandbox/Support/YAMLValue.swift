import Yams

/// A YAML node with the dotted path that leads to it, read strictly: a wrong type, an unknown or repeated
/// key, or a bad value is an error naming the key and its line. The policy file and image definitions are
/// both read with it; each says through `problem` which error a problem becomes.
public struct YAMLValue {
    /// Makes the error for a problem at `key` (a dotted path, or "(top level)") on `line`.
    public typealias Problem = @Sendable (_ key: String, _ line: Int?, _ message: String) -> any Error

    public let node: Node
    public let path: String
    let problem: Problem

    public init(node: Node, path: String, problem: @escaping Problem) {
        self.node = node
        self.path = path
        self.problem = problem
    }

    public var line: Int? { node.mark?.line }

    public func fail(_ message: String) -> any Error {
        problem(path.isEmpty ? "(top level)" : path, line, message)
    }

    /// The same reader on another node or path (a message about one item of a list, a key read as a value).
    public func with(node: Node? = nil, path: String? = nil) -> YAMLValue {
        YAMLValue(node: node ?? self.node, path: path ?? self.path, problem: problem)
    }

    public func child(_ key: String, _ node: Node) -> YAMLValue {
        with(node: node, path: path.isEmpty ? key : "\(path).\(key)")
    }

    /// The mapping's entries, in order, refusing unknown and repeated keys. An empty `known` allows any key.
    public func mapping(known: [String]) throws -> [(key: String, value: YAMLValue)] {
        guard let mapping = node.mapping else { throw fail("expected a mapping of keys to values") }
        var seen = Set<String>()
        var entries: [(key: String, value: YAMLValue)] = []
        for (keyNode, valueNode) in mapping {
            guard let key = keyNode.scalar?.string else { throw fail("keys must be plain strings") }
            let value = child(key, valueNode)
            guard known.isEmpty || known.contains(key) else {
                throw value.fail("unknown key; the keys here are: \(known.joined(separator: ", "))")
            }
            guard seen.insert(key).inserted else { throw value.fail("the key appears twice") }
            entries.append((key, value))
        }
        return entries
    }

    public func string() throws -> String {
        guard let scalar = node.scalar else { throw fail("expected a single value, not a list or a mapping") }
        return scalar.string
    }

    public func int(in range: ClosedRange<Int>) throws -> Int {
        let text = try string()
        guard let value = Int(text), range.contains(value) else {
            throw fail("'\(text)' is not a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    public func uint64() throws -> UInt64 {
        let text = try string().lowercased()
        let value = text.hasPrefix("0x") ? UInt64(text.dropFirst(2), radix: 16) : UInt64(text)
        guard let value else { throw fail("'\(text)' is not a whole number (decimal, or hex with 0x)") }
        return value
    }

    public func bool() throws -> Bool {
        switch try string().lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        case let other: throw fail("'\(other)' is not true or false")
        }
    }

    public func size() throws -> UInt64 {
        let text = try string()
        guard let bytes = Quantity.parseSize(text), bytes > 0 else {
            throw fail("'\(text)' is not a size; write it like 512MiB, 64k or 1G")
        }
        return bytes
    }

    public func duration() throws -> Double {
        let text = try string()
        guard let seconds = Quantity.parseDuration(text), seconds > 0 else {
            throw fail("'\(text)' is not a duration; write it like 10s, 500ms or 2m")
        }
        return seconds
    }

    public func list() throws -> [YAMLValue] {
        guard let sequence = node.sequence else { throw fail("expected a list") }
        return sequence.enumerated().map { index, item in with(node: item, path: "\(path)[\(index)]") }
    }

    public func stringList() throws -> [String] {
        try list().map { try $0.string() }
    }
}
