import Foundation
import Yams

/// The toolchains this node knows: every `<language>.yaml` in a toolchains directory.
public struct ToolchainCatalog: Sendable {
    public let directory: String
    public let toolchains: [String: ToolchainDefinition]

    public static let languages = ["python", "typescript", "javascript", "go", "rust", "java", "csharp", "ruby"]

    /// Loads every definition; a broken file is an error naming the file and what is wrong.
    public init(directory: String) throws {
        self.directory = directory
        var toolchains: [String: ToolchainDefinition] = [:]
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        guard !files.isEmpty else {
            throw ToolchainError.notFound(
                "no toolchain definitions in \(directory); point CRUCIBLE_TOOLCHAINS at the project's toolchains/ directory"
            )
        }
        for file in files.sorted() where file.hasSuffix(".yaml") {
            let path = directory + "/" + file
            do {
                let text = try String(contentsOfFile: path, encoding: .utf8)
                let definition = try YAMLDecoder().decode(ToolchainDefinition.self, from: text)
                for (name, mode) in definition.modes.sorted(by: { $0.key < $1.key }) {
                    guard let problem = mode.problem else { continue }
                    throw ToolchainError.invalidDefinition(file: path, message: "modes.\(name): \(problem)")
                }
                toolchains[definition.language] = definition
            } catch let error as ToolchainError {
                throw error
            } catch {
                throw ToolchainError.invalidDefinition(file: path, message: "\(error)")
            }
        }
        self.toolchains = toolchains
    }

    /// Where the definitions are: CRUCIBLE_TOOLCHAINS, ./toolchains, next to the binary's source tree
    /// (a development build), or /usr/share/crucible/toolchains (an installed one).
    public static func locate() throws -> ToolchainCatalog {
        let candidates = ProjectDirectory.candidates(named: "toolchains", environment: "CRUCIBLE_TOOLCHAINS")
        for candidate in candidates where FileManager.default.fileExists(atPath: candidate + "/python.yaml") {
            return try ToolchainCatalog(directory: candidate)
        }
        throw ToolchainError.notFound(
            "no toolchains directory found (looked in \(candidates.joined(separator: ", "))); set CRUCIBLE_TOOLCHAINS")
    }

    public func toolchain(_ language: String) throws -> ToolchainDefinition {
        guard let definition = toolchains[language] else {
            throw ToolchainError.notFound(
                "no toolchain for '\(language)' in \(directory); known: \(toolchains.keys.sorted().joined(separator: ", "))"
            )
        }
        return definition
    }

    public var scaffoldDirectory: String { directory + "/scaffold" }
}

/// Where a project directory (toolchains/, tasks/) is: the environment variable, the current
/// directory, the source tree next to a development build, or /usr/share/crucible for an installed one.
enum ProjectDirectory {
    static func candidates(named name: String, environment variable: String) -> [String] {
        candidates(
            named: name, configured: ProcessInfo.processInfo.environment[variable],
            currentDirectory: FileManager.default.currentDirectoryPath,
            executable: try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
    }

    /// Each place once, in the order they are tried: a binary near the root (/usr/bin/crucible) would otherwise
    /// list the root's folder several times over, as "//toolchains", in the message that says where it looked.
    static func candidates(
        named name: String, configured: String?, currentDirectory: String, executable: String?
    ) -> [String] {
        var candidates: [String] = []
        func add(_ path: String) {
            if !candidates.contains(path) { candidates.append(path) }
        }
        func inside(_ directory: String) -> String { (directory as NSString).appendingPathComponent(name) }
        if let configured, !configured.isEmpty { add(configured) }
        add(inside(currentDirectory))
        if let executable {
            var directory = (executable as NSString).deletingLastPathComponent
            for _ in 0..<4 {
                directory = (directory as NSString).deletingLastPathComponent
                add(inside(directory))
            }
        }
        add("/usr/share/crucible/" + name)
        return candidates
    }
}
