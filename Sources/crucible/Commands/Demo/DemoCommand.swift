import Agent
import ArgumentParser
import CrucibleAPI
import Foundation
import Sandbox
import Toolchains

/// `crucible demo`: the whole appliance at work on the sample bank, in about a minute and a half.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the appliance on the sample bank with several bundled models and print the leaderboard.",
        discussion: """
            Starts a control plane and a local agent (as `crucible up` does) on a fresh data directory, loads \
            the sample task bank (tasks/, all eight languages), and submits the answers of five bundled models: \
            the references, one with off-by-one errors, one whose code does not compile, one that tries to \
            escape the sandbox, fork-bombs and eats memory, and one that loops forever. It shows live progress, \
            then the leaderboard with 95% intervals and a table per language, and leaves the results in --data.
            """)

    @Option(help: "Data directory for this demo (emptied first if it holds an earlier demo).")
    var data = "./crucible-demo"
    @Option(help: "Jobs run at once (default: the number of cores).")
    var slots: Int?

    /// The bank's models, and the hostile ones (run on one task of four languages, with tight limits: each
    /// of their jobs runs until a limit stops it).
    static let bankModels = ["reference", "off-by-one", "no-compile"]
    static let hostileModels = ["hostile", "looper"]
    static let hostileTasks = ["py-fizzbuzz-easy", "js-escape-html-easy", "go-reverse-words-easy", "rb-caesar-easy"]
    static let hostileLimits = TaskLimits(cpuTimeS: 5, wallTimeS: 6)

    func validate() throws {
        if let slots, !(1...64).contains(slots) {
            throw ValidationError("--slots \(slots): give a number from 1 to 64")
        }
    }

    func run() async throws {
        let started = Date()
        let bank: TaskBank
        let plan: DemoPlan
        do {
            bank = try TaskBank.locate()
            plan = try DemoPlan.make(bank: bank)
        } catch let error as ToolchainError {
            printError("crucible: \(error)")
            throw ExitCode(2)
        }
        try DemoData.prepare(data)
        var logger = CLILogging.logger("crucible.demo")
        logger.logLevel = .error
        let appliance = Appliance(
            dataDirectory: data, listen: ListenAddress(host: "127.0.0.1", port: Appliance.freePort()), slots: slots,
            policy: try PolicyLoader.defaultPolicy(), logger: logger)
        let data = data
        let quiet = logger
        print(
            "crucible demo: \(plan.tasks.count) tasks in \(Set(plan.tasks.map(\.language)).count) languages, "
                + "\(plan.models.count) models, \(plan.jobCount) jobs")
        try await appliance.run(foreground: { running in
            let client = try ControlPlaneClient(
                baseURL: running.url, token: running.adminToken, httpClient: running.http, logger: quiet)
            print("control plane: \(running.url)   data: \(data)\n")
            fflush(nil)
            let report = try await DemoRun(client: client, plan: plan).execute()
            let outcome = try await report.collect(client: client)
            print(report.render(outcome, elapsed: Date().timeIntervalSince(started), data: data))
            try report.save(outcome, to: data)
        })
    }
}

/// The runs the demo submits.
struct DemoPlan {
    var tasks: [TaskSpec]
    var bankCandidates: [Candidate]
    var hostileTasks: [TaskSpec]
    var hostileCandidates: [Candidate]

    var models: [String] { DemoCommand.bankModels + DemoCommand.hostileModels }
    var jobCount: Int { bankCandidates.count + hostileCandidates.count }

    static func make(bank: TaskBank) throws -> DemoPlan {
        var tasks: [TaskSpec] = []
        for language in Language.allCases {
            for file in bank.taskFiles(language: language.rawValue) {
                tasks.append(try TaskFiles.readTask(file))
            }
        }
        guard !tasks.isEmpty else {
            throw ToolchainError.notFound("the task bank in \(bank.directory) has no tasks")
        }
        // References first: the agent times each task's reference once, for the efficiency score, and a
        // reference job that runs first gives that time for free.
        var bankCandidates: [Candidate] = []
        for model in DemoCommand.bankModels {
            for task in tasks {
                if let file = bank.candidateFile(model: model, language: task.language.rawValue, taskID: task.id) {
                    bankCandidates.append(try TaskFiles.readCandidate(file))
                }
            }
        }
        var hostileTasks: [TaskSpec] = []
        var hostileCandidates: [Candidate] = []
        for id in DemoCommand.hostileTasks {
            guard var task = tasks.first(where: { $0.id == id }) else {
                continue
            }
            task.limits = DemoCommand.hostileLimits
            hostileTasks.append(task)
            for model in DemoCommand.hostileModels {
                if let file = bank.candidateFile(model: model, language: task.language.rawValue, taskID: id) {
                    hostileCandidates.append(try TaskFiles.readCandidate(file))
                }
            }
        }
        return DemoPlan(
            tasks: tasks, bankCandidates: bankCandidates, hostileTasks: hostileTasks,
            hostileCandidates: hostileCandidates)
    }
}

/// A demo data directory is emptied before each demo, but only if an earlier demo made it.
enum DemoData {
    static let marker = ".crucible-demo"

    static func prepare(_ directory: String) throws {
        let manager = FileManager.default
        if manager.fileExists(atPath: directory) {
            let contents = (try? manager.contentsOfDirectory(atPath: directory)) ?? []
            guard contents.isEmpty || manager.fileExists(atPath: directory + "/" + marker) else {
                throw ValidationError(
                    "--data \(directory) exists and was not made by crucible demo; give another directory")
            }
            try manager.removeItem(atPath: directory)
        }
        try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        manager.createFile(atPath: directory + "/" + marker, contents: Data())
    }
}
