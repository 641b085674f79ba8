import Foundation
import Sandbox

/// One `toolchains/<language>.yaml`: how to build, test and lint a workspace of that language.
/// The schema is documented in toolchains/README.md.
public struct ToolchainDefinition: Sendable, Decodable, Equatable {
    public var schema: Int
    public var language: String
    public var displayName: String
    public var image: String
    public var versions: [String: String]?
    public var workspace: WorkspaceLayout
    public var env: [String: String]
    public var mounts: [ExtraMount]
    public var defaults: Defaults
    public var modes: [String: Mode]
    public var quality: [QualityTool]

    enum CodingKeys: String, CodingKey {
        case schema, language, image, versions, workspace, env, mounts, defaults, modes, quality
        case displayName = "display_name"
    }

    public struct WorkspaceLayout: Sendable, Decodable, Equatable {
        /// Globs of the source files a build compiles (relative, in the workspace's top level).
        public var sources: [String]
        /// Globs of the files a candidate may supply.
        public var candidateFiles: [String]
        /// Paths a candidate may never write (they would change how the tests run or report).
        public var reserved: [String]
        public var scaffold: [ScaffoldEntry]

        enum CodingKeys: String, CodingKey {
            case sources, reserved, scaffold
            case candidateFiles = "candidate_files"
        }
    }

    /// A file the toolchain adds: copied from toolchains/scaffold/<from>, or a symlink.
    public struct ScaffoldEntry: Sendable, Decodable, Equatable {
        public var path: String
        public var from: String?
        public var symlink: String?
    }

    public struct ExtraMount: Sendable, Decodable, Equatable {
        public var path: String
        public var why: String?
    }

    public struct Defaults: Sendable, Decodable, Equatable {
        public var limits: StepLimits
    }

    public struct Mode: Sendable, Decodable, Equatable {
        public var requires: [String]
        public var solution: [String]
        public var tests: [String]
        public var build: Step?
        public var test: Step
        /// The build and the test in one sandbox (toolchains/README.md, `build_then_test`).
        public var buildThenTest: CombinedStep?

        enum CodingKeys: String, CodingKey {
            case requires, solution, tests, build, test
            case buildThenTest = "build_then_test"
        }

        /// Why this mode cannot be used as written, if it cannot.
        var problem: String? {
            guard let combined = buildThenTest else { return nil }
            if build == nil {
                return "build_then_test needs a build step: its limits and exit codes apply to the first part"
            }
            if test.stdin != nil {
                return "build_then_test cannot feed each io case to its test: remove it from this mode"
            }
            if test.argv.contains("{test_argv}") || test.argv.contains("{marker}") {
                return "the test's argv cannot hold {test_argv} or {marker}: only build_then_test's can"
            }
            if !combined.argv.contains("{marker}") {
                return "build_then_test's argv must pass {marker}, what the command writes to stdout and stderr "
                    + "between build and test"
            }
            return nil
        }
    }

    /// One command that does a mode's build, writes `{marker}` to stdout and stderr, then runs the mode's test as
    /// `test` would (`{test_argv}` is the test's command). The build's time limits and exit codes apply
    /// until the marker, the test's after it; everything else (environment, memory, processes) is the test's.
    public struct CombinedStep: Sendable, Decodable, Equatable {
        public var argv: [String]
    }

    public struct Step: Sendable, Decodable, Equatable {
        public var argv: [String]
        public var env: [String: String]?
        public var limits: StepLimits?
        /// Exit code ("0", "1", …, or "other") to outcome: ok, fail, error.
        public var exitCodes: [String: String]?
        public var result: ResultSpec?
        /// `case`: each io case's stdin is fed to this step, once per case.
        public var stdin: String?

        enum CodingKeys: String, CodingKey {
            case argv, env, limits, result, stdin
            case exitCodes = "exit_codes"
        }
    }

    public struct ResultSpec: Sendable, Decodable, Equatable {
        public var parser: String
        public var report: String?
        public var name: String?
        public var fallback: String?
    }

    public struct QualityTool: Sendable, Decodable, Equatable {
        public var tool: String
        public var argv: [String]
        public var env: [String: String]?
        public var limits: StepLimits?
        public var exitCodes: [String: String]?
        public var findings: FindingsSpec

        enum CodingKeys: String, CodingKey {
            case tool, argv, env, limits, findings
            case exitCodes = "exit_codes"
        }
    }

    public struct FindingsSpec: Sendable, Decodable, Equatable {
        public var parser: String
        /// stdout (default) or stderr.
        public var stream: String?
        public var onlyPaths: String?

        enum CodingKeys: String, CodingKey {
            case parser, stream
            case onlyPaths = "only_paths"
        }
    }

    /// What an exit code means for a step: the step did its job (ok), the candidate failed (fail),
    /// or the toolchain itself broke (error: never the candidate's fault).
    public enum Outcome: String, Sendable {
        case ok, fail, error
    }

    public static func outcome(exitCode: Int32, table: [String: String]?) -> Outcome {
        guard let table else { return exitCode == 0 ? .ok : .fail }
        let word = table[String(exitCode)] ?? table["other"] ?? (exitCode == 0 ? "ok" : "fail")
        return Outcome(rawValue: word) ?? .fail
    }
}

/// Per-step limits in a toolchain file; each applies only where it is tighter than the policy's.
public struct StepLimits: Sendable, Decodable, Equatable {
    public var wallTimeS: Double?
    public var cpuTimeS: Double?
    public var memoryMiB: Double?
    public var pids: Int?
    public var outputKiB: Double?
    public var fileSizeMiB: Double?
    public var tmpMiB: Double?

    enum CodingKeys: String, CodingKey {
        case pids
        case wallTimeS = "wall_time_s"
        case cpuTimeS = "cpu_time_s"
        case memoryMiB = "memory_mib"
        case outputKiB = "output_kib"
        case fileSizeMiB = "file_size_mib"
        case tmpMiB = "tmp_mib"
    }

    /// These limits over the step's defaults, then tightened against the policy (never loosened).
    func applied(over defaults: StepLimits?, to policy: Limits) -> Limits {
        func pick<T>(_ key: KeyPath<StepLimits, T?>) -> T? { self[keyPath: key] ?? defaults?[keyPath: key] }
        var limits = policy
        if let value = pick(\.wallTimeS) { limits.wallTime = value }
        if let value = pick(\.cpuTimeS) { limits.cpuTime = value }
        if let value = pick(\.memoryMiB) { limits.memory = UInt64(value * 1_048_576) }
        if let value = pick(\.pids) { limits.pids = value }
        if let value = pick(\.outputKiB) { limits.output = UInt64(value * 1024) }
        if let value = pick(\.fileSizeMiB) { limits.fileSize = UInt64(value * 1_048_576) }
        if let value = pick(\.tmpMiB) { limits.tmpSize = UInt64(value * 1_048_576) }
        return policy.tightened(by: limits)
    }
}

extension ToolchainDefinition {
    /// The policy one step runs under: the toolchain's and the step's environment over the policy's,
    /// and the step's limits (then the task's) tightening the policy's, never loosening them.
    public func stepPolicy(
        _ policy: SandboxPolicy, env stepEnv: [String: String]?, limits: StepLimits?, task: TaskLimitsOverride? = nil
    ) -> SandboxPolicy {
        var result = policy
        var environment = env.merging(stepEnv ?? [:]) { $1 }
        for variable in policy.environment where environment[variable.name] == nil {
            environment[variable.name] = variable.value
        }
        result.environment = environment.sorted { $0.key < $1.key }.map {
            EnvironmentVariable(name: $0.key, value: $0.value)
        }
        var stepLimits = (limits ?? StepLimits()).applied(over: defaults.limits, to: policy.limits)
        if let task { stepLimits = stepLimits.tightened(by: task.limits(over: stepLimits)) }
        result.limits = stepLimits
        return result
    }

    /// The step of a mode by name (build, test), or a quality tool by its tool name or "quality": what it runs
    /// and under which environment and limits.
    public func step(mode: String, name: String) -> (env: [String: String]?, limits: StepLimits?, argv: [String])? {
        if name == "quality" || quality.contains(where: { $0.tool == name }) {
            guard let tool = quality.first(where: { name == "quality" || $0.tool == name }) else { return nil }
            return (tool.env, tool.limits, tool.argv)
        }
        guard let mode = modes[mode] else { return nil }
        if let combined = mode.buildThenTest, let build = mode.build, name == "build" || name == "test" {
            // One sandbox for both: the test's environment and limits, the build's time limits until the marker.
            var limits = mode.test.limits ?? StepLimits()
            if name == "build" {
                limits.wallTimeS = build.limits?.wallTimeS
                limits.cpuTimeS = build.limits?.cpuTimeS
            }
            return (mode.test.env, limits, combined.argv)
        }
        let step = name == "build" ? mode.build : (name == "test" ? mode.test : nil)
        return step.map { ($0.env, $0.limits, $0.argv) }
    }
}

/// A task's own limits, as the job's tasks give them (seconds, bytes).
public protocol TaskLimitsOverride: Sendable {
    func limits(over base: Limits) -> Limits
}
