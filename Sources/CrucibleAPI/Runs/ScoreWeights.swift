// The parts of a job's automated score, and the weights that combine them (default 40 / 25 / 15 / 20).

public enum ScoreComponent: String, WireEnum {
    case correctness, quality, efficiency, speed
    public static let wireName = "weight"
}

/// Weights of the automated score. A run's `weights` map replaces all four: a component it leaves out
/// weighs 0 (so `{"correctness": 1}` scores correctness alone). Scoring renormalises by the sum.
public struct ScoreWeights: Sendable, Hashable {
    public var correctness: Double
    public var quality: Double
    public var efficiency: Double
    public var speed: Double

    public init(correctness: Double, quality: Double, efficiency: Double, speed: Double) {
        self.correctness = correctness
        self.quality = quality
        self.efficiency = efficiency
        self.speed = speed
    }

    public static let defaults = ScoreWeights(correctness: 40, quality: 25, efficiency: 15, speed: 20)

    /// From a run's `weights` map; unknown keys are ignored here (validation reports them).
    public init(wireMap: [String: Double]) {
        self.init(
            correctness: wireMap[ScoreComponent.correctness.rawValue] ?? 0,
            quality: wireMap[ScoreComponent.quality.rawValue] ?? 0,
            efficiency: wireMap[ScoreComponent.efficiency.rawValue] ?? 0,
            speed: wireMap[ScoreComponent.speed.rawValue] ?? 0)
    }

    public subscript(component: ScoreComponent) -> Double {
        switch component {
        case .correctness: correctness
        case .quality: quality
        case .efficiency: efficiency
        case .speed: speed
        }
    }

    /// The `weights` map as it is sent.
    public var wireMap: [String: Double] {
        Dictionary(uniqueKeysWithValues: ScoreComponent.allCases.map { ($0.rawValue, self[$0]) })
    }

    public var sum: Double { correctness + quality + efficiency + speed }
}
