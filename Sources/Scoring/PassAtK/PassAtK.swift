/// pass@k: the chance that at least one of k samples, drawn without replacement from n generated
/// samples of which c are correct, passes. The unbiased estimator of Chen et al. (2021):
///
///     pass@k = 1 − C(n − c, k) / C(n, k)
///
/// Binomials overflow long before n reaches the hundreds, so it is computed as the product
///
///     C(n − c, k) / C(n, k) = Π_{i = n − c + 1}^{n} (1 − k / i)
///
/// which stays in 0...1 throughout. When n − c < k every k-subset holds a correct sample: 1.
public enum PassAtK {
    /// - Parameters: n samples, c of them correct, k drawn.
    /// - Throws: unless 1 ≤ k ≤ n and 0 ≤ c ≤ n. k > n is an error, not a clamp: with fewer samples
    ///   than k there is no unbiased estimate, and silently using k = n would understate pass@k.
    public static func estimate(n: Int, c: Int, k: Int) throws(ScoringError) -> Double {
        guard n >= 1 else {
            throw ScoringError(
                code: .invalidArgument, field: "n",
                message: "must be at least 1 (the number of samples generated), got \(n)")
        }
        guard c >= 0, c <= n else {
            throw ScoringError(
                code: .invalidArgument, field: "c",
                message: "must be between 0 and n (\(n)): the number of correct samples among n, got \(c)")
        }
        guard k >= 1 else {
            throw ScoringError(code: .invalidArgument, field: "k", message: "must be at least 1, got \(k)")
        }
        guard k <= n else {
            throw ScoringError(
                code: .invalidArgument, field: "k",
                message: "\(k) exceeds the number of samples n (\(n)); generate at least k samples per task or lower k")
        }
        guard c > 0 else { return 0 }
        guard n - c >= k else { return 1 }
        // Probability that all k drawn samples fail.
        var allFail = 1.0
        for i in (n - c + 1)...n {
            allFail *= 1 - Double(k) / Double(i)
        }
        return min(1, max(0, 1 - allFail))
    }

    /// The mean of per-task pass@k, the usual benchmark figure. nil for no tasks. An error names the
    /// task, e.g. `tasks[3].k`.
    public static func mean(_ tasks: [(n: Int, c: Int)], k: Int) throws(ScoringError) -> Double? {
        guard !tasks.isEmpty else { return nil }
        var total = 0.0
        for (index, task) in tasks.enumerated() {
            do throws(ScoringError) {
                total += try estimate(n: task.n, c: task.c, k: k)
            } catch {
                throw error.nested(under: "tasks[\(index)]")
            }
        }
        return total / Double(tasks.count)
    }
}
