// File maps carry untrusted paths that become files in a sandbox workspace. A path must stay inside the
// workspace and mean the same thing to every tool: relative, '/'-separated, no '.', '..' or empty parts.

enum FilePathRules {
    /// What is wrong with one path, as messages; empty when it is fine.
    static func problems(path: String, limits: ValidationLimits) -> [String] {
        var problems: [String] = []
        if path.isEmpty {
            return ["the file path is empty; use a relative path such as \"solution.py\""]
        }
        if path.unicodeScalars.contains(where: { $0.value == 0 }) {
            problems.append("the file path contains a NUL character; remove it")
        } else if let control = path.unicodeScalars.first(where: \.isControl) {
            problems.append(
                "the file path contains the control character \(IdentifierRules.describe(control)); remove it")
        }
        // JSON decoding turns broken UTF-8 and lone surrogates into U+FFFD.
        if path.unicodeScalars.contains("\u{FFFD}") {
            problems.append("the file path is not valid UTF-8 (it holds U+FFFD); send it as valid UTF-8")
        }
        if path.utf8.count > limits.maxPathBytes {
            problems.append("the file path is \(path.utf8.count) bytes long; use at most \(limits.maxPathBytes)")
        }
        if path.hasPrefix("/") {
            problems.append("the file path is absolute; make it relative to the workspace, e.g. \"src/lib.rs\"")
        }
        if path.contains("\\") {
            problems.append("the file path contains '\\'; separate directories with '/'")
        }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        let inner = path.hasPrefix("/") ? parts.dropFirst() : parts[...]
        if inner.contains(where: { $0 == ".." }) {
            problems.append("the file path contains \"..\"; paths must stay inside the workspace")
        }
        if inner.contains(where: { $0 == "." }) {
            problems.append("the file path contains a \".\" component; remove it")
        }
        if inner.contains(where: \.isEmpty) {
            problems.append("the file path has an empty component (\"//\" or a trailing '/'); remove it")
        }
        if inner.contains(where: { $0.hasPrefix("-") }) {
            problems.append("a component of the file path starts with '-', which tools read as an option; rename it")
        }
        return problems
    }

    /// Checks a whole map: count, each path, each file's size, the total size, and file/directory clashes.
    static func issues(
        files: FileMap, at path: FieldPath, code: ErrorCode, limits: ValidationLimits
    ) -> [ValidationIssue] {
        var collector = IssueCollector(code: code)
        if files.count > limits.maxFilesPerMap {
            collector.tooLarge(path, "has \(files.count) files; send at most \(limits.maxFilesPerMap)")
        }
        var total = 0
        let names = files.keys.sorted()
        for name in names {
            let contents = files[name] ?? ""
            let filePath = path.key(name)
            for problem in problems(path: name, limits: limits) {
                collector.add(filePath, problem)
            }
            let size = contents.utf8.count
            total += size
            if size > limits.maxFileBytes {
                collector.tooLarge(
                    filePath, "the file is \(size) bytes; keep each file to \(limits.maxFileBytes) bytes")
            }
        }
        if total > limits.maxTotalFileBytes {
            collector.tooLarge(path, "the files total \(total) bytes; keep them to \(limits.maxTotalFileBytes) bytes")
        }
        // "src" and "src/lib.rs" cannot both exist: one would have to be a file and a directory.
        let nameSet = Set(names)
        for name in names {
            var prefix = Substring(name)
            while let slash = prefix.lastIndex(of: "/") {
                prefix = prefix[..<slash]
                if nameSet.contains(String(prefix)) {
                    collector.add(
                        path.key(String(prefix)),
                        "is both a file and the directory of \"\(name)\"; rename one of them")
                }
            }
        }
        return collector.issues
    }
}
