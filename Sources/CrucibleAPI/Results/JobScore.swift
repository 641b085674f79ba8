// A job's automated score and its parts, each 0–100. `automated` is the weighted combination of the others
// (see `ScoreWeights`); judges are blended in later, per model, on the leaderboard.

public struct JobScore: Codable, Sendable, Hashable {
    public var correctness: Double
    public var quality: Double
    public var efficiency: Double
    public var speed: Double
    public var automated: Double

    public init(correctness: Double, quality: Double, efficiency: Double, speed: Double, automated: Double) {
        self.correctness = correctness
        self.quality = quality
        self.efficiency = efficiency
        self.speed = speed
        self.automated = automated
    }

    public subscript(component: ScoreComponent) -> Double {
        switch component {
        case .correctness: correctness
        case .quality: quality
        case .efficiency: efficiency
        case .speed: speed
        }
    }
}
