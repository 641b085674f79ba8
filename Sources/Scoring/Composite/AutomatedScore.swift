extension Scorer {
    /// The job's `score` object: each component 0–100 and their weighted mean.
    ///
    /// - `errored` jobs return nil: the infrastructure failed, not the model, so there is nothing to
    ///   score (and certainly not a 0).
    /// - efficiency is present only with a reference timing. A `timeout` then scores 0 (a limit cut
    ///   the candidate off, so it was as slow as it gets); otherwise it needs the candidate's
    ///   test-step CPU time, which a `build_failed` job does not have.
    /// - quality is present only when a linter ran (`linted`).
    /// - speed is present only with a reported latency.
    /// - absent components drop out of the mean and the remaining weights are renormalised.
    /// - `build_failed` scores 0 overall unless `config.buildFailureScoresZero` is false.
    public func automatedScore(for job: JobOutcome) throws(ScoringError) -> JobScore? {
        try job.validate()
        guard
            let correctness = Correctness.score(
                verdict: job.verdict, tests: job.tests, totalTestWeight: job.totalTestWeight)
        else { return nil }

        let quality = job.linted ? config.quality.score(findings: job.findings, linesOfCode: job.linesOfCode) : nil
        let efficiency = efficiencyScore(for: job)
        let speed = job.latencyMs.map { config.speed.score(latencyMs: $0) }

        var score = JobScore(
            correctness: correctness, quality: quality, efficiency: efficiency, speed: speed, automated: nil)
        if job.verdict == .buildFailed, config.buildFailureScoresZero {
            score.automated = 0
        } else {
            score.automated = WeightedMean.renormalised(
                ScoreComponent.allCases.map { (value: score[$0], weight: config.weights[$0]) })
        }
        return score
    }

    private func efficiencyScore(for job: JobOutcome) -> Double? {
        guard let reference = job.referenceCPUTimeSeconds else { return nil }
        switch job.verdict {
        case .timeout:
            return 0
        case .buildFailed, .errored:
            return nil
        case .passed, .failed:
            return job.testCPUTimeSeconds.map {
                config.efficiency.score(candidateSeconds: $0, referenceSeconds: reference)
            }
        }
    }
}
