/// Speed: the candidate's reported latency (`metadata.latency_ms`) on a scale a run can set.
///
/// At or under `fastMs` scores 100, at or over `slowMs` scores 0. In between, by default on a
/// logarithmic scale (a 2 s → 4 s slowdown costs as much as 15 s → 30 s):
///
///     logarithmic: 100 × (ln slowMs − ln latency) / (ln slowMs − ln fastMs)
///     linear:      100 × (slowMs − latency) / (slowMs − fastMs)
///
/// Defaults: fast 2 000 ms, slow 60 000 ms, logarithmic; so 5 s scores about 73, 15 s about 41,
/// 30 s about 20.
public struct SpeedScale: Sendable, Equatable, Codable {
    public enum Curve: String, Sendable, Codable, CaseIterable {
        case linear
        case logarithmic = "log"
    }

    public var fastMs: Double
    public var slowMs: Double
    public var curve: Curve

    public static let `default` = SpeedScale(fastMs: 2_000, slowMs: 60_000, curve: .logarithmic)

    public init(fastMs: Double, slowMs: Double, curve: Curve = .logarithmic) {
        self.fastMs = fastMs
        self.slowMs = slowMs
        self.curve = curve
    }

    public func score(latencyMs: Double) -> Double {
        guard latencyMs > fastMs else { return 100 }
        guard latencyMs < slowMs else { return 0 }
        let fraction: Double
        switch curve {
        case .linear:
            fraction = (slowMs - latencyMs) / (slowMs - fastMs)
        case .logarithmic:
            fraction = (naturalLog(slowMs) - naturalLog(latencyMs)) / (naturalLog(slowMs) - naturalLog(fastMs))
        }
        return min(100, max(0, 100 * fraction))
    }

    /// `fast_ms` finite and > 0; `slow_ms` finite and > `fast_ms`.
    public func validate() throws(ScoringError) {
        guard fastMs.isFinite, fastMs > 0 else {
            throw ScoringError(
                code: .invalidArgument, field: "speed.fast_ms",
                message: "must be a finite number of milliseconds > 0, got \(fastMs); the default is 2000")
        }
        guard slowMs.isFinite, slowMs > fastMs else {
            throw ScoringError(
                code: .invalidArgument, field: "speed.slow_ms",
                message: "must be a finite number of milliseconds greater than fast_ms (\(fastMs)), got \(slowMs); "
                    + "the default is 60000")
        }
    }

    private enum CodingKeys: String, CodingKey {
        case fastMs = "fast_ms"
        case slowMs = "slow_ms"
        case curve
    }

    /// Keys left out keep their defaults.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let fallback = Self.default
        fastMs = try container.decodeIfPresent(Double.self, forKey: .fastMs) ?? fallback.fastMs
        slowMs = try container.decodeIfPresent(Double.self, forKey: .slowMs) ?? fallback.slowMs
        curve = try container.decodeIfPresent(Curve.self, forKey: .curve) ?? fallback.curve
    }
}
