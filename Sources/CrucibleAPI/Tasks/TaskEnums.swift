// The closed vocabularies a task is described with. Their strings are part of the HTTP contract.

public enum Language: String, WireEnum {
    case python, typescript, javascript, go, rust, java, csharp, ruby
    public static let wireName = "language"

    /// The solution file a task bank uses for this language (DESIGN.md, "Workspace conventions").
    public var solutionFile: String {
        switch self {
        case .python: "solution.py"
        case .typescript: "solution.ts"
        case .javascript: "solution.js"
        case .go: "solution.go"
        case .rust: "src/lib.rs"
        case .java: "Solution.java"
        case .csharp: "Solution.cs"
        case .ruby: "solution.rb"
        }
    }

    /// The hidden test file a task bank uses for this language.
    public var testFile: String {
        switch self {
        case .python: "test_solution.py"
        case .typescript: "solution.test.ts"
        case .javascript: "solution.test.js"
        case .go: "solution_test.go"
        case .rust: "tests/solution_test.rs"
        case .java: "Main.java"
        case .csharp: "Tests.cs"
        case .ruby: "test_solution.rb"
        }
    }
}

public enum Scenario: String, WireEnum {
    case codeGeneration = "code-generation"
    case testGeneration = "test-generation"
    case codeReview = "code-review"
    case refactoring, debugging, security, documentation
    public static let wireName = "scenario"
}

public enum Difficulty: String, WireEnum {
    case easy, medium, hard
    public static let wireName = "difficulty"
}

/// How a task's hidden tests decide pass or fail.
public enum TestMode: String, WireEnum {
    /// The toolchain's test runner over the task's `tests`.
    case framework
    /// Build, then run the program made of the workspace; exit code 0 passes.
    case program
    /// Feed each of `io_cases` to the program and compare its output.
    case io
    public static let wireName = "test_mode"

    /// What a task that omits `test_mode` gets: java and csharp tests are programs (`Main.java`, `Tests.cs`).
    public static func defaultMode(for language: Language) -> TestMode {
        switch language {
        case .java, .csharp: .program
        default: .framework
        }
    }
}
