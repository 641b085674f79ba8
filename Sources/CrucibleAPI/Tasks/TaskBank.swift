// `POST /v1/tasks` and `GET /v1/tasks`: the stored task bank that runs can refer to with `task_ids`.

/// The body of `POST /v1/tasks`: either one task object or `{"tasks": [...]}` for a bulk import.
public struct TaskUpload: Codable, Sendable, Hashable {
    public var tasks: [TaskSpec]
    /// The body was one bare task: validation then names fields from the root (`language`, not
    /// `tasks[0].language`), and encoding writes the bare task back.
    public var isSingleTask: Bool

    public init(tasks: [TaskSpec]) {
        self.tasks = tasks
        self.isSingleTask = false
    }

    public init(task: TaskSpec) {
        self.tasks = [task]
        self.isSingleTask = true
    }

    enum CodingKeys: String, CodingKey {
        case tasks
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if container.contains(.tasks) {
            tasks = try container.decode([TaskSpec].self, forKey: .tasks)
            isSingleTask = false
        } else {
            tasks = [try TaskSpec(from: decoder)]
            isSingleTask = true
        }
    }

    public func encode(to encoder: any Encoder) throws {
        if isSingleTask, tasks.count == 1, let task = tasks.first {
            try task.encode(to: encoder)
            return
        }
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(tasks, forKey: .tasks)
    }
}

/// The `201` reply of `POST /v1/tasks`: the ids stored, in request order.
public struct TaskUploadReply: Codable, Sendable, Hashable {
    public var ids: [String]

    public init(ids: [String]) {
        self.ids = ids
    }
}

/// The reply of `GET /v1/tasks` (filterable like the leaderboard by language, scenario and difficulty).
public struct TaskList: Codable, Sendable, Hashable {
    public var tasks: [TaskSpec]

    public init(tasks: [TaskSpec]) {
        self.tasks = tasks
    }
}
