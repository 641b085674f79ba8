/// A job's automated score: the `score` object of a job result.
///
/// `{"correctness": 80, "quality": 95, "efficiency": 70, "speed": 60, "automated": 77.5}`, every value
/// 0–100. A component that could not be measured (no reference timing, no latency) is null, and
/// `automated` is the weighted mean of the others. `automated` is null only when no measured
/// component has a positive weight.
public struct JobScore: Sendable, Equatable, Codable {
    public var correctness: Double?
    public var quality: Double?
    public var efficiency: Double?
    public var speed: Double?
    public var automated: Double?

    public init(
        correctness: Double?, quality: Double?, efficiency: Double?, speed: Double?, automated: Double?
    ) {
        self.correctness = correctness
        self.quality = quality
        self.efficiency = efficiency
        self.speed = speed
        self.automated = automated
    }

    public subscript(component: ScoreComponent) -> Double? {
        switch component {
        case .correctness: correctness
        case .quality: quality
        case .efficiency: efficiency
        case .speed: speed
        }
    }

    private enum CodingKeys: String, CodingKey {
        case correctness
        case quality
        case efficiency
        case speed
        case automated
    }

    /// Writes absent components as `null` so the object always has the same keys.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(correctness, forKey: .correctness)
        try container.encode(quality, forKey: .quality)
        try container.encode(efficiency, forKey: .efficiency)
        try container.encode(speed, forKey: .speed)
        try container.encode(automated, forKey: .automated)
    }
}
