// A job's automated score and its parts, each 0–100. `automated` is the weighted combination of the parts
// present (see `ScoreWeights`); judges are blended in later, per model, on the leaderboard. A part that could
// not be measured is null, never a made-up number: efficiency needs the reference's time on the same node,
// speed needs the candidate's reported latency. The weights of the parts present are renormalised.

public struct JobScore: Codable, Sendable, Hashable {
    public var correctness: Double?
    public var quality: Double?
    public var efficiency: Double?
    public var speed: Double?
    public var automated: Double

    public init(correctness: Double?, quality: Double?, efficiency: Double?, speed: Double?, automated: Double) {
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

    enum CodingKeys: String, CodingKey {
        case correctness, quality, efficiency, speed, automated
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        // Explicit nulls: every key is always present.
        try container.encode(correctness, forKey: .correctness)
        try container.encode(quality, forKey: .quality)
        try container.encode(efficiency, forKey: .efficiency)
        try container.encode(speed, forKey: .speed)
        try container.encode(automated, forKey: .automated)
    }
}
