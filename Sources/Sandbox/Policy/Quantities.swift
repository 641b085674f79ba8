import Foundation

/// Parsing and printing of the two kinds of quantity a policy and the command line take:
/// sizes ("64MiB", "1G", "512k", "4096") and durations ("10s", "500ms", "2m", "1.5").
public enum Quantity {
    private static let sizeUnits: [(suffix: String, factor: UInt64)] = [
        ("kib", 1 << 10), ("mib", 1 << 20), ("gib", 1 << 30), ("tib", 1 << 40),
        ("kb", 1 << 10), ("mb", 1 << 20), ("gb", 1 << 30), ("tb", 1 << 40),
        ("k", 1 << 10), ("m", 1 << 20), ("g", 1 << 30), ("t", 1 << 40), ("b", 1),
    ]

    /// Parses a size in bytes. Units are binary (k = KiB = 1024): memory and disk are counted that way.
    /// Returns nil for anything else, so the caller can name the key or flag in its message.
    public static func parseSize(_ text: String) -> UInt64? {
        let lowered = text.trimmingCharacters(in: .whitespaces).lowercased()
        var number = Substring(lowered)
        var factor: UInt64 = 1
        for unit in sizeUnits where lowered.hasSuffix(unit.suffix) {
            number = lowered.dropLast(unit.suffix.count)
            factor = unit.factor
            break
        }
        let digits = number.trimmingCharacters(in: .whitespaces)
        guard !digits.isEmpty, digits.allSatisfy({ $0.isNumber || $0 == "." }),
            let value = Double(digits), value.isFinite, value >= 0
        else { return nil }
        let bytes = value * Double(factor)
        guard bytes < Double(UInt64.max / 2) else { return nil }
        return UInt64(bytes.rounded())
    }

    /// Parses a duration in seconds: a plain number is seconds; ms, s, m and h suffixes are accepted.
    public static func parseDuration(_ text: String) -> Double? {
        let lowered = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        var number = Substring(lowered)
        var factor = 1.0
        for (suffix, scale) in units where lowered.hasSuffix(suffix) {
            number = lowered.dropLast(suffix.count)
            factor = scale
            break
        }
        let digits = number.trimmingCharacters(in: .whitespaces)
        guard !digits.isEmpty, digits.allSatisfy({ $0.isNumber || $0 == "." }), let value = Double(digits),
            value.isFinite, value >= 0
        else { return nil }
        return value * factor
    }

    /// Prints a size the way a person writes it in a policy file: "64MiB", "1GiB", "1500B".
    public static func formatSize(_ bytes: UInt64) -> String {
        let units: [(String, UInt64)] = [("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)]
        for (name, factor) in units where bytes >= factor && bytes % factor == 0 {
            return "\(bytes / factor)\(name)"
        }
        return "\(bytes)B"
    }

    /// Prints a duration: "10s", "250ms".
    public static func formatDuration(_ seconds: Double) -> String {
        if seconds < 1, seconds > 0 {
            return "\(Int((seconds * 1000).rounded()))ms"
        }
        if seconds == seconds.rounded() {
            return "\(Int(seconds))s"
        }
        return "\(seconds)s"
    }
}
