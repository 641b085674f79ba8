/// How much the judges of a run agree: Krippendorff's alpha with the interval metric.
///
/// Units are jobs, coders are judge kinds (automated, staff, user, self_review, team_review); a
/// kind with several judgements of one job contributes their mean. alpha is 1 for perfect
/// agreement, 0 for agreement no better than chance, negative for systematic disagreement.
public enum JudgeAgreement {
    /// alpha over a run's scored jobs; `errored` jobs are left out. nil when undefined (see
    /// `krippendorffAlphaInterval(units:)`).
    public static func alpha(for jobs: [ScoredJob]) -> Double? {
        let units = jobs.filter(\.isScoreable).map { job in
            let byKind = JudgeScores.perKind(automated: job.score?.automated, judgements: job.outcome.judgements)
            // Fixed kind order so the sums, and thus the result, do not depend on dictionary order.
            return JudgeKind.allCases.compactMap { byKind[$0] }
        }
        return krippendorffAlphaInterval(units: units)
    }

    /// Krippendorff's alpha, interval metric δ(a, b) = (a − b)², for `units`, each the values its
    /// coders gave (missing values simply left out).
    ///
    ///     alpha = 1 − D_o / D_e
    ///     D_o = 1/n × Σ_units 1/(m_u − 1) × Σ_{i≠j in unit} (v_i − v_j)²
    ///     D_e = 1/(n(n − 1)) × Σ_{i≠j over all pairable values} (v_i − v_j)²
    ///
    /// where only units with m_u ≥ 2 values are pairable and n counts their values. Returns nil when
    /// alpha is undefined: fewer than 2 pairable values, or no expected disagreement (every
    /// pairable value equal).
    public static func krippendorffAlphaInterval(units: [[Double]]) -> Double? {
        let pairable = units.filter { $0.count >= 2 }
        let values = pairable.flatMap { $0 }
        guard values.count >= 2, let low = values.min(), let high = values.max(), low < high else { return nil }
        let n = Double(values.count)

        // Units are small (one value per judge kind), so pairwise sums are cheap and exact.
        var observed = 0.0
        for unit in pairable {
            var unitSum = 0.0
            for i in unit.indices {
                for j in unit.indices where j != i {
                    let difference = unit[i] - unit[j]
                    unitSum += difference * difference
                }
            }
            observed += unitSum / Double(unit.count - 1)
        }
        observed /= n

        // All pairs across the run can be many; Σ_{i≠j} (v_i − v_j)² = 2n × Σ (v_i − mean)².
        let centre = values.reduce(0, +) / n
        let squares = values.reduce(0) { $0 + ($1 - centre) * ($1 - centre) }
        let expected = 2 * n * squares / (n * (n - 1))
        guard expected > 0 else { return nil }
        return 1 - observed / expected
    }
}
