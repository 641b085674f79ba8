/// The four parts of a job's automated score, named as in the `score` object and in a run's
/// `weights`.
public enum ScoreComponent: String, Sendable, Codable, CaseIterable {
    case correctness
    case quality
    case efficiency
    case speed
}
