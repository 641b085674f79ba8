import Foundation
import Sandbox
import Testing

@testable import Toolchains

/// images/<name>.yaml: strict parsing (each error names its key and line), the definition hash, and
/// what `mirror: auto` finds in the node's apt sources.
@Suite struct ImageDefinitionTests {
    static let minimal = """
        schema: 1
        kind: debootstrap
        description: test image
        suite: bookworm
        packages:
          python: [python3]
        """

    @Test func theProjectsDefinitionsParse() throws {
        let catalog = try ImageCatalog.locate()
        #expect(catalog.definitions["host"]?.kind == .host)
        let full = try #require(catalog.definitions["bookworm"])
        #expect(full.kind == .debootstrap && full.suite == "bookworm" && full.variant == "minbase")
        // Every language the toolchains know has its packages in the full image.
        #expect(Set(full.packages.map(\.toolchain)).isSuperset(of: ToolchainCatalog.languages))
        #expect(full.hostCopies.contains { $0.path == "/usr/bin/node" })
        #expect(!full.checks.isEmpty)
        let python = try #require(catalog.definitions["bookworm-python"])
        #expect(python.allPackages == ["python3", "python3-pytest"])
    }

    @Test func defaultsApplyWhenLeftOut() throws {
        let definition = try ImageDefinition.parse(Self.minimal, name: "tiny", file: "tiny.yaml")
        #expect(definition.variant == "minbase")
        #expect(definition.mirror == "auto" && definition.securityMirror == "auto" && definition.updates)
        #expect(definition.components == ["main"])
        #expect(definition.hostCopies.isEmpty && definition.checks.isEmpty)
    }

    /// A table of bad files, each with the key and line its error must name.
    @Test(
        arguments: [
            (
                "schema: 1\nkind: debootstrap\ndescription: x\nsuite: bookworm\npackges: {}\n", "packges", 5,
                "unknown key"
            ),
            ("schema: 1\nkind: docker\ndescription: x\n", "kind", 2, "not a kind"),
            ("schema: 1\ndescription: x\n", "(top level)", 1, "'kind' is missing"),
            ("schema: 1\nkind: debootstrap\ndescription: x\n", "(top level)", 1, "'suite' is missing"),
            ("schema: 2\nkind: debootstrap\ndescription: x\nsuite: bookworm\n", "schema", 1, "only schema is 1"),
            (
                "schema: 1\nkind: debootstrap\ndescription: x\nsuite: bookworm\nvariant: fat\n", "variant", 5,
                "not a debootstrap variant"
            ),
            (
                "schema: 1\nkind: debootstrap\ndescription: x\nsuite: bookworm\nmirror: ftp.example.org\n", "mirror", 5,
                "not a mirror"
            ),
            (
                "schema: 1\nkind: debootstrap\ndescription: x\nsuite: bookworm\npackages:\n  go: golang-go\n",
                "packages.go", 6, "expected a list"
            ),
            (
                "schema: 1\nkind: debootstrap\ndescription: x\nsuite: bookworm\npackages:\n  go: [Golang Go]\n",
                "packages.go[0]", 6, "not a Debian package"
            ),
            (
                "schema: 1\nkind: debootstrap\ndescription: x\nsuite: bookworm\ncopy_from_host:\n  - {path: /usr/bin/node}\n",
                "copy_from_host[0]", 6, "'why' is missing"
            ),
            (
                "schema: 1\nkind: debootstrap\ndescription: x\nsuite: bookworm\ncopy_from_host:\n  - {path: /etc/shadow, why: no}\n",
                "copy_from_host[0].path", 6, "never copied"
            ),
            (
                "schema: 1\nkind: debootstrap\ndescription: x\nsuite: bookworm\ncopy_from_host:\n  - {path: ../x, why: no}\n",
                "copy_from_host[0].path", 6, "clean absolute path"
            ),
            (
                "schema: 1\nkind: debootstrap\ndescription: x\nsuite: bookworm\ncheck:\n  - {run: python3}\n",
                "check[0].run", 6, "expected a list"
            ),
            ("schema: 1\nkind: debootstrap\ndescription: x\nsuite: bookworm\nsuite: trixie\n", "suite", 4, "twice"),
            ("schema: 1\nkind: host\ndescription: x\n", "kind", 2, "only images/host.yaml"),
        ] as [(String, String, Int, String)])
    func badDefinitionsNameKeyAndLine(text: String, key: String, line: Int, message: String) throws {
        let error = #expect(throws: ToolchainError.self) {
            try ImageDefinition.parse(text, name: "tiny", file: "tiny.yaml")
        }
        guard case .invalidImage(let file, let gotKey, let gotLine, let gotMessage) = error else {
            Issue.record("not an image definition error: \(String(describing: error))")
            return
        }
        #expect(file == "tiny.yaml")
        #expect(gotKey == key, "\(gotMessage)")
        #expect(gotLine == line, "\(gotKey): \(gotMessage)")
        #expect(gotMessage.contains(message), "\(gotMessage)")
        #expect(error?.description.contains("line \(line)") == true)
    }

    @Test func hostTakesNoBuildKeys() throws {
        let error = #expect(throws: ToolchainError.self) {
            try ImageDefinition.parse(
                "schema: 1\nkind: host\ndescription: x\nsuite: bookworm\n", name: "host", file: "host.yaml")
        }
        #expect(error?.description.contains("line 4") == true)
        #expect(error?.description.contains("takes only") == true)
    }

    @Test func badFileNamesAreRefused() throws {
        #expect(throws: ToolchainError.self) {
            try ImageDefinition.parse(Self.minimal, name: "Has Space", file: "x.yaml")
        }
        #expect(throws: ToolchainError.self) { try ImageDefinition.parse(Self.minimal, name: "../up", file: "x.yaml") }
    }

    /// Comments and key order do not change the hash; a package does.
    @Test func theHashFollowsWhatIsBuilt() throws {
        let builder = ImageBuilder(store: ImageStore(directory: "/nonexistent"), logger: .init(label: "test"))
        let base = try ImageDefinition.parse(Self.minimal, name: "tiny", file: "a.yaml")
        let reordered = try ImageDefinition.parse(
            "# a comment\nsuite: bookworm\ndescription: other words\nkind: debootstrap\nschema: 1\npackages: {python: [python3]}\n",
            name: "tiny", file: "b.yaml")
        let more = try ImageDefinition.parse(
            Self.minimal.replacingOccurrences(of: "[python3]", with: "[python3, python3-pytest]"), name: "tiny",
            file: "c.yaml")
        #expect(builder.definitionHash(base) == builder.definitionHash(reordered))
        #expect(builder.definitionHash(base) != builder.definitionHash(more))
        #expect(builder.definitionHash(base).count == 64)
    }

    @Test func sha256MatchesKnownDigests() {
        #expect(SHA256.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            SHA256.hex(String(repeating: "a", count: 1000))
                == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }

    @Test func autoMirrorComesFromTheNodesSources() throws {
        let directory = NSTemporaryDirectory() + "crucible-apt-\(UUID().uuidString)"
        try FileManager.default.createDirectory(
            atPath: directory + "/sources.list.d", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try """
        Types: deb
        URIs: http://mirror.example.org/debian/
        Suites: bookworm bookworm-updates
        Components: main

        Types: deb
        URIs: http://security.example.org/debian-security
        Suites: bookworm-security
        Components: main
        """.write(toFile: directory + "/sources.list.d/debian.sources", atomically: true, encoding: .utf8)
        try "deb [arch=amd64] https://other.example.org/apt nodistro main\n"
            .write(toFile: directory + "/sources.list.d/other.list", atomically: true, encoding: .utf8)
        let builder = ImageBuilder(
            store: ImageStore(directory: "/nonexistent"), logger: .init(label: "test"), aptDirectory: directory)
        let definition = try ImageDefinition.parse(Self.minimal, name: "tiny", file: "tiny.yaml")
        let mirrors = builder.mirrors(definition)
        #expect(mirrors.main == "http://mirror.example.org/debian")
        #expect(mirrors.security == "http://security.example.org/debian-security")
        #expect(
            AptSources.parseOneLine("deb [arch=amd64 signed-by=/k.gpg] http://x.org/debian bookworm main # c\n")
                == [AptSources.Entry(uri: "http://x.org/debian", suite: "bookworm")])
        // Nothing for the suite: the public mirror.
        var trixie = definition
        trixie.suite = "trixie"
        #expect(builder.mirrors(trixie).main == AptSources.fallbackMirror)
        trixie.securityMirror = "none"
        #expect(builder.mirrors(trixie).security == nil)
    }
}
