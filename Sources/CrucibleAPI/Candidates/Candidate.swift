// A candidate: one model's answer to one task. Its files go over the task's files; the hidden tests go over it.

public struct Candidate: Codable, Sendable, Hashable {
    public var taskID: String
    /// Who wrote it, e.g. "gpt-4o" or "acme/coder-7b:q4"; the leaderboard groups by this.
    public var model: String
    public var files: FileMap
    public var metadata: CandidateMetadata

    public init(taskID: String, model: String, files: FileMap, metadata: CandidateMetadata = CandidateMetadata()) {
        self.taskID = taskID
        self.model = model
        self.files = files
        self.metadata = metadata
    }

    enum CodingKeys: String, CodingKey {
        case taskID = "task_id"
        case model, files, metadata
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        taskID = try container.decode(String.self, forKey: .taskID)
        model = try container.decode(String.self, forKey: .model)
        files = try container.decode(FileMap.self, forKey: .files)
        metadata = try container.decodeIfPresent(CandidateMetadata.self, forKey: .metadata) ?? CandidateMetadata()
    }
}

/// What the submitter measured while producing the candidate; feeds the speed score and the cost column.
/// Unknown values encode as explicit `null`.
public struct CandidateMetadata: Codable, Sendable, Hashable {
    public var latencyMS: Double?
    public var costUSD: Double?
    public var inputTokens: Int?
    public var outputTokens: Int?

    public init(latencyMS: Double? = nil, costUSD: Double? = nil, inputTokens: Int? = nil, outputTokens: Int? = nil) {
        self.latencyMS = latencyMS
        self.costUSD = costUSD
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
    }

    enum CodingKeys: String, CodingKey {
        case latencyMS = "latency_ms"
        case costUSD = "cost_usd"
        case inputTokens = "input_tokens"
        case outputTokens = "output_tokens"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(latencyMS, forKey: .latencyMS)
        try container.encode(costUSD, forKey: .costUSD)
        try container.encode(inputTokens, forKey: .inputTokens)
        try container.encode(outputTokens, forKey: .outputTokens)
    }
}
