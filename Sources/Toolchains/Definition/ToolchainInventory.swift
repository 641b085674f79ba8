import Foundation

/// Which toolchains this node can run: a toolchain is ready when every command its steps start is
/// installed. `crucible toolchains list` prints this, and a node agent registers the ready languages.
public enum ToolchainInventory {
    /// The first word of every step's command that is not on the node's PATH.
    public static func missingCommands(_ toolchain: ToolchainDefinition) -> [String] {
        var commands = Set<String>()
        for mode in toolchain.modes.values {
            if let build = mode.build { commands.insert(command(build.argv)) }
            commands.insert(command(mode.test.argv))
        }
        for tool in toolchain.quality { commands.insert(command(tool.argv)) }
        let path = ["/usr/local/bin", "/usr/bin", "/bin"]
        // A relative path with a slash is a build's output in the workspace, not an installed tool.
        return commands.filter { name in !name.contains("/") || name.hasPrefix("/") }.filter { name in
            name.hasPrefix("/")
                ? !FileManager.default.isExecutableFile(atPath: name)
                : !path.contains { FileManager.default.isExecutableFile(atPath: $0 + "/" + name) }
        }.sorted()
    }

    /// The catalog's languages whose commands are all installed, in `ToolchainCatalog.languages` order.
    public static func readyLanguages(_ catalog: ToolchainCatalog) -> [String] {
        ToolchainCatalog.languages.filter { language in
            catalog.toolchains[language].map { missingCommands($0).isEmpty } ?? false
        }
    }

    /// `sh -c '…' sh go test …` runs go: look past a shell wrapper.
    private static func command(_ argv: [String]) -> String {
        if argv.first == "sh", argv.count > 3, argv[1] == "-c" { return argv[3] }
        return argv.first ?? ""
    }
}
