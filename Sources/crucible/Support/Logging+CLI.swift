import Glibc
import Logging

/// Logs go to standard error; CRUCIBLE_LOG_LEVEL (trace … critical) raises or lowers them.
enum CLILogging {
    /// Services log at `info` by default (operators read them); one-shot commands at `warning`.
    static func logger(_ label: String, defaultLevel: Logger.Level = .warning) -> Logger {
        var logger = Logger(label: label)
        let level = ProcessEnvironment.value("CRUCIBLE_LOG_LEVEL").flatMap { Logger.Level(rawValue: $0) }
        logger.logLevel = level ?? defaultLevel
        return logger
    }
}

enum ProcessEnvironment {
    static func value(_ name: String) -> String? {
        guard let raw = getenv(name) else { return nil }
        return String(cString: raw)
    }
}
