import Foundation

/// Raw outputs captured from the real tools (see Fixtures/README.md), read from the source tree.
enum ParserFixtures {
    static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Parsers/
        .deletingLastPathComponent()  // ToolchainsTests/
        .appendingPathComponent("Fixtures")

    static func text(_ name: String) throws -> String {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        return String(decoding: data, as: UTF8.self)
    }

    /// `text` up to (not including) the first occurrence of `marker`: a report cut mid-write.
    static func cut(_ text: String, before marker: String) -> String {
        guard let range = text.range(of: marker) else { return text }
        return String(text[..<range.lowerBound])
    }
}
