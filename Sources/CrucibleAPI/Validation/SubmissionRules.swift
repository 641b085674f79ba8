// Some rules for a task and a candidate depend on the toolchains: which file names a language takes, which
// paths a toolchain keeps for itself, which test modes it has. They live in the toolchain files, which this
// module does not read; whoever starts the control plane (or `crucible exec`) passes them in, so a run that
// breaks them is refused when it arrives (400) instead of failing later as an errored job.

public protocol SubmissionRules: Sendable {
    /// Problems with a task as the toolchain for its language sees it; empty when it can be run.
    func issues(task: TaskSpec, at path: FieldPath) -> [ValidationIssue]

    /// Problems with a candidate's files for this task; empty when the toolchain takes them.
    func issues(candidateFiles files: FileMap, task: TaskSpec, at path: FieldPath) -> [ValidationIssue]
}
