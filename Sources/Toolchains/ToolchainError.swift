/// Everything that can go wrong in the Toolchains module; each message says what to do.
public enum ToolchainError: Error, Sendable, CustomStringConvertible, Equatable {
    /// A task or candidate file is malformed: `field` names the part (exit 2).
    case invalidInput(field: String, message: String)
    /// A toolchain definition cannot be read.
    case invalidDefinition(file: String, message: String)
    /// No such toolchain, or no definitions at all.
    case notFound(String)
    /// The node could not evaluate the job (sandbox, workspace, missing tools): never the candidate's fault.
    case infrastructure(String)
    /// An image definition (`images/<name>.yaml`) is invalid: `key` is its dotted path, `line` its line.
    case invalidImage(file: String, key: String, line: Int?, message: String)
    /// Building an image failed at a named step; nothing of it was left in the store.
    case imageBuild(image: String, step: String, message: String)
    /// The candidate's code broke the workspace the toolchain needs (replaced its files or directories
    /// with links, say): the candidate's fault, so the job fails.
    case tampered(String)

    public var description: String {
        switch self {
        case .invalidInput(let field, let message): return "\(field): \(message)"
        case .invalidDefinition(let file, let message): return "toolchain definition \(file): \(message)"
        case .notFound(let message): return message
        case .infrastructure(let message): return message
        case .tampered(let message): return message
        case .invalidImage(let file, let key, let line, let message):
            return "image definition \(file): \(line.map { "line \($0): " } ?? "")\(key): \(message)"
        case .imageBuild(let image, let step, let message):
            return "building the image \(image) failed at step '\(step)': \(message)"
        }
    }
}
