import ArgumentParser
import Glibc
import Sandbox

/// Maps the modules' errors to exit codes: bad input 2, a node or sandbox failure 125.
enum CLIError {
    static func exitCode(for error: SandboxError) -> ExitCode {
        switch error {
        case .invalidPolicy, .invalidRequest: return ExitCode(2)
        case .unavailable, .setupFailed, .cgroup: return ExitCode(125)
        }
    }

    /// Prints the message and exits with the error's code.
    static func fail(_ error: SandboxError) -> ExitCode {
        printError("crucible: \(error)")
        return exitCode(for: error)
    }
}

func printError(_ text: String) {
    var standardError = StandardErrorStream()
    print(text, to: &standardError)
}

struct StandardErrorStream: TextOutputStream {
    mutating func write(_ string: String) {
        var bytes = Array(string.utf8)
        bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(2, buffer.baseAddress?.advanced(by: offset), buffer.count - offset)
                if written <= 0 { break }
                offset += written
            }
        }
    }
}
