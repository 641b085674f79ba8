// What makes a task runnable: a safe id, a prompt, safe file maps, tests that fit its test mode, and limits
// that are positive and within the caps.

extension TaskSpec: Validatable {
    public func validationIssues(at path: FieldPath, limits: ValidationLimits) -> [ValidationIssue] {
        var collector = IssueCollector(code: .invalidTask)
        collector.add(
            contentsOf: IdentifierRules.issues(
                id: id, what: "task id", at: path.field("id"), code: .invalidTask, limits: limits))
        if prompt.allSatisfy(\.isWhitespace) {
            collector.add(path.field("prompt"), "the prompt is empty; describe the problem the model must solve")
        } else if prompt.utf8.count > limits.maxPromptBytes {
            collector.tooLarge(
                path.field("prompt"),
                "the prompt is \(prompt.utf8.count) bytes; keep it to \(limits.maxPromptBytes) bytes")
        }
        for (name, map) in [("files", files), ("tests", tests), ("reference", reference ?? [:])] {
            collector.add(
                contentsOf: FilePathRules.issues(files: map, at: path.field(name), code: .invalidTask, limits: limits))
        }
        checkTestMode(&collector, at: path, limits: limits)
        collector.add(contentsOf: self.limits.validationIssues(at: path.field("limits"), limits: limits))
        return collector.issues
    }

    private func checkTestMode(_ collector: inout IssueCollector, at path: FieldPath, limits: ValidationLimits) {
        switch testMode {
        case .framework:
            // A test-generation task's tests are what the candidate writes.
            if tests.isEmpty && scenario != .testGeneration {
                collector.add(
                    path.field("tests"),
                    "test_mode \"framework\" runs the toolchain's test runner over tests, but there are none; "
                        + "add a test file such as \"\(language.testFile)\" (only test-generation tasks leave them to the candidate)"
                )
            }
        case .program:
            if files.isEmpty && tests.isEmpty {
                collector.add(
                    path.field("tests"),
                    "test_mode \"program\" runs the program the workspace builds, but the task has no files; "
                        + "add the program's entry point, such as \"\(language.testFile)\"")
            }
        case .io:
            if ioCases.isEmpty {
                collector.add(
                    path.field("io_cases"),
                    "test_mode \"io\" needs io_cases; add at least one {\"stdin\", \"expected_stdout\", \"weight\"}")
            }
        }
        if testMode != .io && !ioCases.isEmpty {
            collector.add(
                path.field("io_cases"),
                "io_cases are only used when test_mode is \"io\"; remove them or set test_mode to \"io\"")
        }
        let casesPath = path.field("io_cases")
        if ioCases.count > limits.maxIOCases {
            collector.tooLarge(casesPath, "has \(ioCases.count) cases; send at most \(limits.maxIOCases)")
        }
        for (index, ioCase) in ioCases.enumerated() {
            let casePath = casesPath.index(index)
            collector.checkNumber(ioCase.weight, at: casePath.field("weight"), allowZero: true)
            for (name, text) in [("stdin", ioCase.stdin), ("expected_stdout", ioCase.expectedStdout)]
            where text.utf8.count > limits.maxFileBytes {
                collector.tooLarge(
                    casePath.field(name), "is \(text.utf8.count) bytes; keep it to \(limits.maxFileBytes) bytes")
            }
        }
        let weights = ioCases.map(\.weight)
        if testMode == .io, !weights.isEmpty, weights.allSatisfy({ $0.isFinite && $0 >= 0 }),
            weights.reduce(0, +) <= 0
        {
            collector.add(casesPath, "every io case weighs 0, so none would count; give at least one a weight above 0")
        }
    }
}

extension TaskLimits {
    func validationIssues(at path: FieldPath, limits: ValidationLimits) -> [ValidationIssue] {
        var collector = IssueCollector(code: .invalidTask)
        let seconds: [(String, Double?)] = [("cpu_time_s", cpuTimeS), ("wall_time_s", wallTimeS)]
        for (name, value) in seconds {
            if let value {
                collector.checkNumber(value, at: path.field(name), max: limits.maxTimeSeconds, unit: "s")
            }
        }
        let counts: [(String, Int?, Int, String)] = [
            ("memory_bytes", memoryBytes, limits.maxMemoryBytes, "bytes"),
            ("pids", pids, limits.maxPids, "processes"),
            ("file_size_bytes", fileSizeBytes, limits.maxFileSizeBytes, "bytes"),
            ("output_bytes", outputBytes, limits.maxOutputBytes, "bytes"),
        ]
        for (name, value, max, unit) in counts {
            if let value {
                collector.checkNumber(Double(value), at: path.field(name), max: Double(max), unit: unit)
            }
        }
        return collector.issues
    }
}

extension TaskUpload: Validatable, APIRequestBody {
    public func validationIssues(at path: FieldPath, limits: ValidationLimits) -> [ValidationIssue] {
        if isSingleTask, let task = tasks.first {
            return task.validationIssues(at: path, limits: limits)
        }
        var collector = IssueCollector(code: .invalidTask)
        let tasksPath = path.field("tasks")
        if tasks.isEmpty {
            collector.add(tasksPath, "is empty; send at least one task")
        } else if tasks.count > limits.maxTasksPerRun {
            collector.tooLarge(tasksPath, "has \(tasks.count) tasks; send at most \(limits.maxTasksPerRun) at a time")
        }
        collector.add(contentsOf: TaskSpec.listIssues(tasks, at: tasksPath, limits: limits))
        return collector.issues
    }

    public static func errorCode(for path: FieldPath) -> ErrorCode { .invalidTask }
}

extension TaskSpec: APIRequestBody {
    public static func errorCode(for path: FieldPath) -> ErrorCode { .invalidTask }

    /// Each task's own issues, plus a `duplicate_id` (409, as DESIGN.md gives a duplicate id) at the id of every
    /// task that repeats an earlier id.
    static func listIssues(_ tasks: [TaskSpec], at path: FieldPath, limits: ValidationLimits) -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        var firstIndex: [String: Int] = [:]
        for (index, task) in tasks.enumerated() {
            issues += task.validationIssues(at: path.index(index), limits: limits)
            if let earlier = firstIndex[task.id] {
                issues.append(
                    ValidationIssue(
                        code: .duplicateID, field: path.index(index).field("id").description,
                        message:
                            "task id \"\(task.id)\" is also used by \(path.index(earlier)); give each task its own id"))
            } else {
                firstIndex[task.id] = index
            }
        }
        return issues
    }
}
