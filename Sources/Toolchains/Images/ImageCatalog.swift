import Foundation
import Sandbox

/// The images this node knows how to make: every `<name>.yaml` in an images directory.
public struct ImageCatalog: Sendable {
    public let directory: String
    public let definitions: [String: ImageDefinition]

    /// Loads every definition; a broken file is an error naming the file, key and line.
    public init(directory: String) throws {
        self.directory = directory
        var definitions: [String: ImageDefinition] = [:]
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for file in files.sorted() where file.hasSuffix(".yaml") {
            let definition = try ImageDefinition.load(path: directory + "/" + file)
            definitions[definition.name] = definition
        }
        guard definitions[ImageStore.host] != nil else {
            throw ToolchainError.notFound(
                "\(directory) has no host.yaml; point CRUCIBLE_IMAGE_DEFINITIONS at the project's images/")
        }
        self.definitions = definitions
    }

    /// Where the definitions are: CRUCIBLE_IMAGE_DEFINITIONS, ./images, next to the binary's source
    /// tree (a development build), or /usr/share/crucible/images (an installed one).
    public static func locate(override: String? = nil) throws -> ImageCatalog {
        if let override { return try ImageCatalog(directory: override) }
        let candidates = ProjectDirectory.candidates(named: "images", environment: "CRUCIBLE_IMAGE_DEFINITIONS")
        for candidate in candidates where FileManager.default.fileExists(atPath: candidate + "/host.yaml") {
            return try ImageCatalog(directory: candidate)
        }
        throw ToolchainError.notFound(
            "no images directory found (looked in \(candidates.joined(separator: ", "))); set CRUCIBLE_IMAGE_DEFINITIONS"
        )
    }

    public func definition(_ name: String) throws -> ImageDefinition {
        guard let definition = definitions[name] else {
            throw ToolchainError.invalidInput(
                field: "image",
                message:
                    "no image '\(name)' in \(directory); known: \(definitions.keys.sorted().joined(separator: ", "))")
        }
        return definition
    }
}

/// The node's apt sources, read to find the mirror a definition's `auto` means: an image is built
/// from the same place the node's own packages come from (a local mirror, a snapshot, a proxy).
enum AptSources {
    struct Entry: Equatable {
        var uri: String
        var suite: String
    }

    static let fallbackMirror = "http://deb.debian.org/debian"
    static let fallbackSecurityMirror = "http://deb.debian.org/debian-security"

    /// Every `deb` entry of `/etc/apt/sources.list` and `sources.list.d/*.list|*.sources`.
    static func read(directory: String = "/etc/apt") -> [Entry] {
        var entries: [Entry] = []
        if let text = try? String(contentsOfFile: directory + "/sources.list", encoding: .utf8) {
            entries += parseOneLine(text)
        }
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory + "/sources.list.d")) ?? []
        for file in files.sorted() {
            guard let text = try? String(contentsOfFile: directory + "/sources.list.d/" + file, encoding: .utf8) else {
                continue
            }
            if file.hasSuffix(".list") { entries += parseOneLine(text) }
            if file.hasSuffix(".sources") { entries += parseDeb822(text) }
        }
        return entries
    }

    /// `deb [options] URI SUITE COMPONENT…`
    static func parseOneLine(_ text: String) -> [Entry] {
        text.split(separator: "\n").compactMap { raw -> Entry? in
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            var words = line.split(whereSeparator: \.isWhitespace).map(String.init)
            guard words.first == "deb" else { return nil }
            words.removeFirst()
            if words.first?.hasPrefix("[") == true {
                while let word = words.first {
                    words.removeFirst()
                    if word.hasSuffix("]") { break }
                }
            }
            guard words.count >= 2 else { return nil }
            return Entry(uri: trimmed(words[0]), suite: words[1])
        }
    }

    /// deb822 stanzas: `Types: deb`, `URIs: …`, `Suites: …`, separated by blank lines.
    static func parseDeb822(_ text: String) -> [Entry] {
        var entries: [Entry] = []
        for stanza in text.components(separatedBy: "\n\n") {
            var fields: [String: String] = [:]
            for line in stanza.split(separator: "\n") where !line.hasPrefix("#") && !line.hasPrefix(" ") {
                guard let colon = line.firstIndex(of: ":") else { continue }
                fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                    in: .whitespaces)
            }
            guard (fields["types"] ?? "").split(separator: " ").contains("deb"), fields["enabled"]?.lowercased() != "no"
            else {
                continue
            }
            let uris = (fields["uris"] ?? "").split(separator: " ").map(String.init)
            let suites = (fields["suites"] ?? "").split(separator: " ").map(String.init)
            for uri in uris { for suite in suites { entries.append(Entry(uri: trimmed(uri), suite: suite)) } }
        }
        return entries
    }

    /// The first source of `suite` served over http(s) or from a file, else the fallback.
    static func mirror(for suite: String, in entries: [Entry], fallback: String) -> String {
        entries.first { $0.suite == suite && ($0.uri.hasPrefix("http") || $0.uri.hasPrefix("file:")) }?.uri ?? fallback
    }

    private static func trimmed(_ uri: String) -> String {
        uri.hasSuffix("/") ? String(uri.dropLast()) : uri
    }
}
