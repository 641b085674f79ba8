import Foundation

/// Just enough of controlplane/openapi.yaml, read line by line (the file keeps a regular layout): each
/// schema's property names, required list and enum values, and each operation's id and `x-roles`.
struct OpenAPIDocument {
    struct Schema {
        var properties: [String] = []
        var required: [String] = []
        var enumValues: [String] = []
    }

    struct Operation: Hashable {
        var method: String
        var path: String
        var operationID: String
        var roles: [String]
    }

    var schemas: [String: Schema] = [:]
    var operations: [Operation] = []

    /// The document of the package this file belongs to: walk up from this source file (through symlinks).
    static func locate() -> URL? {
        var directory = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("controlplane/openapi.yaml")
            if FileManager.default.fileExists(atPath: candidate.path) {
                return candidate
            }
            directory.deleteLastPathComponent()
        }
        return nil
    }

    init(text: String) {
        var section = ""
        var group = ""
        var schemaName: String?
        var inProperties = false
        var pendingList: (key: String, text: String)?
        var path = ""
        var method = ""
        var operationID = ""

        func indent(_ line: Substring) -> Int { line.prefix(while: { $0 == " " }).count }

        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.drop(while: { $0 == " " })
            if line.hasPrefix("#") || line.isEmpty { continue }
            let depth = indent(rawLine)

            if let pending = pendingList {  // a flow list continued over several lines
                let joined = pending.text + " " + line
                if line.contains("]") {
                    finishList(pending.key, joined, schemaName)
                    pendingList = nil
                } else {
                    pendingList = (pending.key, joined)
                }
                continue
            }
            if depth == 0 {
                section = String(line.prefix(while: { $0 != ":" }))
                continue
            }
            if section == "paths" {
                if depth == 2 {
                    path = String(line.dropLast())
                } else if depth == 4 {
                    method = String(line.prefix(while: { $0 != ":" })).uppercased()
                } else if depth == 6, line.hasPrefix("operationId: ") {
                    operationID = String(line.dropFirst("operationId: ".count))
                } else if depth == 6, line.hasPrefix("x-roles: ") {
                    let roles = Self.flowList(String(line.dropFirst("x-roles: ".count)))
                    operations.append(Operation(method: method, path: path, operationID: operationID, roles: roles))
                }
                continue
            }
            guard section == "components" else { continue }
            if depth == 2 {  // "schemas:", "responses:", …: a new group starts
                group = String(line)
                schemaName = nil
                inProperties = false
                continue
            }
            guard group == "schemas:" else { continue }
            if depth == 4, line.hasSuffix(":"), !line.contains(" ") {
                schemaName = String(line.dropLast())
                schemas[schemaName ?? ""] = Schema()
                inProperties = false
                continue
            }
            guard let name = schemaName else { continue }
            if depth == 6 {
                inProperties = line == "properties:"
                for key in ["required", "enum"] where line.hasPrefix("\(key): [") {
                    if line.contains("]") {
                        finishList(key, String(line), name)
                    } else {
                        pendingList = (key, String(line))
                    }
                }
            } else if depth == 8, inProperties, let colon = line.firstIndex(of: ":") {
                schemas[name]?.properties.append(String(line[..<colon]))
            }
        }

        func finishList(_ key: String, _ text: String, _ name: String?) {
            guard let name, let open = text.firstIndex(of: "[") else { return }
            let values = Self.flowList(String(text[open...]))
            if key == "required" {
                schemas[name]?.required = values
            } else {
                schemas[name]?.enumValues = values
            }
        }
    }

    /// `[a, b, "c"]` → ["a", "b", "c"].
    static func flowList(_ text: String) -> [String] {
        let inner = text.drop(while: { $0 != "[" }).dropFirst().prefix(while: { $0 != "]" })
        return inner.split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
        }.filter { !$0.isEmpty }
    }
}
