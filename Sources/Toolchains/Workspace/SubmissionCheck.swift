import CrucibleAPI

// What a toolchain takes from a task and a candidate, checked without running anything. The control plane
// asks when a run or a task arrives (a bad one gets 400 and nothing is stored), `crucible exec` before it
// evaluates (exit 2), and the Evaluator again before it lays out a workspace.

extension ToolchainCatalog: SubmissionRules {
    public func issues(task: TaskSpec, at path: FieldPath) -> [ValidationIssue] {
        guard let toolchain = toolchains[task.language.rawValue] else {
            return [
                ValidationIssue(
                    code: .invalidTask, field: path.field("language").fieldValue,
                    message: "this node has no \(task.language.rawValue) toolchain; it has "
                        + toolchains.keys.sorted().joined(separator: ", "))
            ]
        }
        guard let mode = toolchain.modes[task.testMode.rawValue] else {
            return [
                ValidationIssue(
                    code: .invalidTask, field: path.field("test_mode").fieldValue,
                    message: "the \(toolchain.language) toolchain has no \(task.testMode.rawValue) mode; use one of "
                        + toolchain.modes.keys.sorted().joined(separator: ", "))
            ]
        }
        var issues =
            reservedIssues(task.files, toolchain: toolchain, at: path.field("files"))
            + reservedIssues(task.tests, toolchain: toolchain, at: path.field("tests"))
        // The candidate brings its own part (the solution, or the tests of a test-generation task); the task
        // and the toolchain's scaffold must bring the rest.
        let scaffold = Set(toolchain.workspace.scaffold.map(\.path))
        for required in mode.requires
        where !toolchain.candidateSupplies(required, mode: mode, scenario: task.scenario)
            && task.files[required] == nil && task.tests[required] == nil && !scaffold.contains(required)
        {
            let field = mode.tests.contains(required) ? "tests" : "files"
            issues.append(
                ValidationIssue(
                    code: .invalidTask, field: path.field(field).fieldValue,
                    message: "a \(toolchain.language) \(task.testMode.rawValue) task must ship \(required); add it"))
        }
        if let reference = task.reference {
            issues += candidateIssues(
                reference, task: task, toolchain: toolchain, mode: mode, at: path.field("reference"), code: .invalidTask
            )
        }
        for (index, mutant) in (task.mutants ?? []).enumerated() {
            issues += reservedIssues(
                mutant.files, toolchain: toolchain, at: path.field("mutants").index(index).field("files"))
        }
        return issues
    }

    /// A task's files (its own, its tests', a mutant's) that fall under a path the toolchain reserves.
    private func reservedIssues(
        _ files: FileMap, toolchain: ToolchainDefinition, at path: FieldPath
    ) -> [ValidationIssue] {
        files.keys.sorted().compactMap { filePath in
            toolchain.reservation(of: filePath).map { reserved in
                ValidationIssue(
                    code: .invalidTask, field: path.key(filePath).fieldValue,
                    message: "\(reserved) is the \(toolchain.language) toolchain's; rename the file")
            }
        }
    }

    public func issues(candidateFiles files: FileMap, task: TaskSpec, at path: FieldPath) -> [ValidationIssue] {
        // A task the toolchain cannot run is the task's problem, reported by `issues(task:at:)`.
        guard let toolchain = toolchains[task.language.rawValue],
            let mode = toolchain.modes[task.testMode.rawValue]
        else { return [] }
        return candidateIssues(files, task: task, toolchain: toolchain, mode: mode, at: path, code: .invalidCandidate)
    }

    private func candidateIssues(
        _ files: FileMap, task: TaskSpec, toolchain: ToolchainDefinition, mode: ToolchainDefinition.Mode,
        at path: FieldPath, code: ErrorCode
    ) -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        for filePath in files.keys.sorted() {
            let field = path.key(filePath).fieldValue
            let allowed =
                task.scenario == .testGeneration
                ? mode.tests.contains(filePath)
                : toolchain.workspace.candidateFiles.contains { globMatches($0, filePath) }
            if !allowed {
                let takes =
                    task.scenario == .testGeneration
                    ? "a test-generation candidate supplies only \(mode.tests.joined(separator: ", "))"
                    : "a \(toolchain.language) candidate supplies only "
                        + toolchain.workspace.candidateFiles.joined(separator: ", ")
                issues.append(
                    ValidationIssue(code: code, field: field, message: "not a file this task takes: \(takes)"))
            } else if let reserved = toolchain.reservation(of: filePath) {
                issues.append(
                    ValidationIssue(
                        code: code, field: field,
                        message: "\(reserved) is the toolchain's; a candidate cannot supply it"))
            }
        }
        return issues
    }
}

extension ToolchainDefinition {
    /// The reserved entry a workspace path falls under, if any: the path itself or any folder on its way
    /// (`vendor`, `.crucible/x`, `go.mod/x`). An entry ending in `/` reserves that name and everything below;
    /// `.crucible/` is always reserved.
    func reservation(of path: String) -> String? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        for end in 1...max(1, parts.count) {
            let prefix = parts.prefix(end).joined(separator: "/")
            for reserved in [".crucible/"] + workspace.reserved {
                let name = reserved.hasSuffix("/") ? String(reserved.dropLast()) : reserved
                if prefix == name || globMatches(name, prefix) { return reserved }
            }
        }
        return nil
    }

    /// Whether the candidate, not the task, brings this file of a mode.
    func candidateSupplies(_ path: String, mode: Mode, scenario: Scenario) -> Bool {
        scenario == .testGeneration ? mode.tests.contains(path) : mode.solution.contains(path)
    }
}
