import Foundation
import Sandbox
import Yams

/// One `images/<name>.yaml`: the root filesystem a sandbox's binds come from. `host` is the node
/// itself; a `debootstrap` image is a Debian tree built by `crucible images build` (ImageBuilder).
/// The schema is documented in images/README.md.
public struct ImageDefinition: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// The node's own system, bound read-only. Nothing to build.
        case host
        /// debootstrap into a directory, then the packages, then the host files.
        case debootstrap
    }

    /// A node path copied into the image after its packages (a tool Debian does not ship in this
    /// suite, a cache built by scripts/install-toolchains.sh).
    public struct HostCopy: Sendable, Equatable {
        public var path: String
        public var why: String
        /// Skipped when the node does not have it.
        public var optional: Bool
        /// Debian packages the copied files were made with: a different version in the image is
        /// reported (a Go build cache made by another Go only misses, but it no longer saves time).
        public var builtWith: [String]
    }

    /// A command that must succeed inside the finished image, with no network.
    public struct Check: Sendable, Equatable {
        public var run: [String]
        public var why: String?
    }

    /// The packages of one toolchain (or `base`), in file order.
    public struct PackageGroup: Sendable, Equatable {
        public var toolchain: String
        public var packages: [String]
    }

    public var name: String
    /// The file it was read from, for messages.
    public var file: String
    public var kind: Kind
    public var description: String
    public var suite: String
    public var variant: String
    /// `auto` (the node's apt sources for this suite) or a URL.
    public var mirror: String
    /// `auto`, `none`, or a URL: where `<suite>-security` comes from.
    public var securityMirror: String
    /// Whether `<suite>-updates` is a source too.
    public var updates: Bool
    public var components: [String]
    public var packages: [PackageGroup]
    public var hostCopies: [HostCopy]
    public var checks: [Check]

    /// Every package, in file order, without repeats.
    public var allPackages: [String] {
        var seen = Set<String>()
        return packages.flatMap(\.packages).filter { seen.insert($0).inserted }
    }

    /// What the image is, as one canonical text: the input of its definition hash. Comments and key
    /// order do not change it; the mirror does not either (the same suite from another mirror is the
    /// same image). `fingerprint` gives each host copy's current state, so changed host files make an
    /// image out of date.
    func canonical(fingerprint: (HostCopy) -> String) -> String {
        var lines = [
            "schema 1", "kind \(kind.rawValue)", "suite \(suite)", "variant \(variant)",
            "security \(securityMirror == "none" ? "no" : "yes")", "updates \(updates)",
            "components \(components.joined(separator: ","))",
        ]
        for group in packages { lines.append("packages \(group.toolchain): \(group.packages.joined(separator: " "))") }
        for copy in hostCopies { lines.append("copy \(copy.path) optional=\(copy.optional) \(fingerprint(copy))") }
        for check in checks { lines.append("check \(check.run.joined(separator: "\u{1f}"))") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Reads one definition; the name is the file's (`bookworm.yaml` is `bookworm`).
    public static func load(path: String) throws -> ImageDefinition {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ToolchainError.invalidImage(
                file: path, key: "(file)", line: nil, message: "cannot be read: \(error.localizedDescription)")
        }
        let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        return try parse(text, name: name, file: path)
    }

    /// Parses definition text. Strict: an unknown key, a wrong type or a bad value is an error that
    /// names the key and its line (a typo must not silently build a different image).
    public static func parse(_ text: String, name: String, file: String) throws -> ImageDefinition {
        guard ImageStore.isValidName(name) else {
            throw ToolchainError.invalidImage(
                file: file, key: "(file name)", line: nil,
                message: "'\(name)' is not an image name: lower-case letters, digits, '-', '.', '_'")
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch YamlError.duplicatedKeysInMapping(let duplicates, let context) {
            throw ToolchainError.invalidImage(
                file: file, key: duplicates.joined(separator: ", "), line: context.mark.line,
                message: "the key appears twice in one mapping; keep one")
        } catch {
            throw ToolchainError.invalidImage(file: file, key: "(file)", line: nil, message: "not valid YAML: \(error)")
        }
        guard let root else {
            throw ToolchainError.invalidImage(file: file, key: "(file)", line: nil, message: "the file is empty")
        }
        let problem: YAMLValue.Problem = { key, line, message in
            ToolchainError.invalidImage(file: file, key: key, line: line, message: message)
        }
        return try DefinitionReader(file: file, name: name).read(YAMLValue(node: root, path: "", problem: problem))
    }
}

/// Turns the YAML tree into an `ImageDefinition`, checking every value.
private struct DefinitionReader {
    let file: String
    let name: String

    static let debootstrapKeys = [
        "schema", "kind", "description", "suite", "variant", "mirror", "security_mirror", "updates", "components",
        "packages", "copy_from_host", "check",
    ]
    static let hostKeys = ["schema", "kind", "description"]

    func read(_ root: YAMLValue) throws -> ImageDefinition {
        // The kind decides which keys exist, so it is read first.
        let entries = try root.mapping(known: Self.debootstrapKeys)
        guard let kindNode = entries.first(where: { $0.key == "kind" })?.value else {
            throw root.fail("the key 'kind' is missing (host or debootstrap)")
        }
        let kindText = try kindNode.string()
        guard let kind = ImageDefinition.Kind(rawValue: kindText) else {
            throw kindNode.fail("'\(kindText)' is not a kind; use host or debootstrap")
        }
        if kind == .host, let extra = entries.first(where: { !Self.hostKeys.contains($0.key) }) {
            throw extra.value.fail(
                "a host image is the node itself and takes only \(Self.hostKeys.joined(separator: ", "))")
        }
        if (kind == .host) != (name == ImageStore.host) {
            throw kindNode.fail(
                kind == .host
                    ? "only images/host.yaml may be of kind host" : "the name host is the node itself; its kind is host"
            )
        }
        var definition = ImageDefinition(
            name: name, file: file, kind: kind, description: "", suite: "", variant: "minbase", mirror: "auto",
            securityMirror: "auto", updates: true, components: ["main"], packages: [], hostCopies: [], checks: [])
        var seen = Set<String>()
        for (key, value) in entries {
            seen.insert(key)
            switch key {
            case "schema":
                guard try value.string() == "1" else { throw value.fail("the only schema is 1") }
            case "kind":
                break
            case "description":
                definition.description = try value.string()
            case "suite":
                definition.suite = try word(value, what: "a Debian suite (bookworm)")
            case "variant":
                let text = try value.string()
                guard ["minbase", "buildd", "-"].contains(text) else {
                    throw value.fail("'\(text)' is not a debootstrap variant; use minbase (the smallest), buildd or -")
                }
                definition.variant = text
            case "mirror":
                definition.mirror = try mirror(value, allowNone: false)
            case "security_mirror":
                definition.securityMirror = try mirror(value, allowNone: true)
            case "updates":
                definition.updates = try value.bool()
            case "components":
                definition.components = try value.list().map { try word($0, what: "an archive component (main)") }
                guard !definition.components.isEmpty else { throw value.fail("name at least one component (main)") }
            case "packages":
                definition.packages = try value.mapping(known: []).map { toolchain, list in
                    guard ImageStore.isValidName(toolchain) else {
                        throw list.fail("'\(toolchain)' is not a toolchain name (python, go, …, or base)")
                    }
                    return ImageDefinition.PackageGroup(
                        toolchain: toolchain, packages: try list.list().map { try package($0) })
                }
            case "copy_from_host":
                definition.hostCopies = try value.list().map(hostCopy)
            case "check":
                definition.checks = try value.list().map(check)
            default:
                break
            }
        }
        for required in ["schema", "description"] + (kind == .debootstrap ? ["suite"] : [])
        where !seen.contains(required) {
            throw root.fail("the key '\(required)' is missing")
        }
        let targets = definition.hostCopies.map(\.path)
        if let repeated = targets.first(where: { path in targets.filter { $0 == path }.count > 1 }) {
            throw root.fail("copy_from_host names \(repeated) twice")
        }
        return definition
    }

    private func word(_ value: YAMLValue, what: String) throws -> String {
        let text = try value.string()
        let allowed = text.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == "_") }
        guard !text.isEmpty, allowed else { throw value.fail("'\(text)' is not \(what)") }
        return text
    }

    private func mirror(_ value: YAMLValue, allowNone: Bool) throws -> String {
        let text = try value.string()
        if text == "auto" || (allowNone && text == "none") { return text }
        guard text.hasPrefix("http://") || text.hasPrefix("https://") || text.hasPrefix("file:/"),
            !text.contains(where: { $0.isWhitespace || $0 == "'" || $0 == "\"" })
        else {
            throw value.fail(
                "'\(text)' is not a mirror; use auto (the node's apt sources)\(allowNone ? ", none" : "") or a URL")
        }
        return text.hasSuffix("/") ? String(text.dropLast()) : text
    }

    /// Debian package names (policy 5.6.1), optionally with `=version`.
    private func package(_ value: YAMLValue) throws -> String {
        let text = try value.string()
        let name = text.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
        let valid =
            name.count >= 2 && name.first.map { $0.isLowercase || $0.isNumber } == true
            && name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || "+-.:".contains($0)) }
            && !text.contains(where: \.isWhitespace)
        guard valid else { throw value.fail("'\(text)' is not a Debian package name") }
        return text
    }

    private func hostCopy(_ item: YAMLValue) throws -> ImageDefinition.HostCopy {
        var copy = ImageDefinition.HostCopy(path: "", why: "", optional: false, builtWith: [])
        var seen = Set<String>()
        for (key, field) in try item.mapping(known: ["path", "why", "optional", "built_with"]) {
            seen.insert(key)
            switch key {
            case "path":
                let text = try field.string()
                let parts = text.split(separator: "/", omittingEmptySubsequences: false)
                guard text.hasPrefix("/"), text != "/", !parts.contains(".."), !parts.contains("."),
                    !text.hasSuffix("/"), !text.contains("//")
                else {
                    throw field.fail("'\(text)' is not a clean absolute path below /")
                }
                // The kernel's and the node's runtime state are never part of an image.
                for forbidden in ["/proc", "/sys", "/dev", "/run", "/tmp", "/etc/shadow", "/root", "/home"]
                where text == forbidden || text.hasPrefix(forbidden + "/") {
                    throw field.fail("\(forbidden) is never copied into an image")
                }
                copy.path = text
            case "why": copy.why = try field.string()
            case "optional": copy.optional = try field.bool()
            case "built_with": copy.builtWith = try field.list().map { try package($0) }
            default: break
            }
        }
        for required in ["path", "why"] where !seen.contains(required) {
            throw item.fail("the key '\(required)' is missing")
        }
        return copy
    }

    private func check(_ item: YAMLValue) throws -> ImageDefinition.Check {
        var run: [String]?
        var why: String?
        for (key, field) in try item.mapping(known: ["run", "why"]) {
            switch key {
            case "run":
                run = try field.stringList()
                guard run?.first?.isEmpty == false else {
                    throw field.fail("give the command as a list: [python3, --version]")
                }
            case "why": why = try field.string()
            default: break
            }
        }
        guard let run else { throw item.fail("the key 'run' is missing") }
        return ImageDefinition.Check(run: run, why: why)
    }
}
