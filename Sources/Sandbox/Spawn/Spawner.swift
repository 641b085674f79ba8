import CSandbox
import Foundation
import Logging
import Synchronization

/// The process every sandbox's init is cloned from (see `csbx_spawner_start`): `crucible-spawner`, a static
/// program of a few pages, or this program exec'd afresh (`SpawnerProgram`). Cloning from crucible itself
/// copied the page tables of a process of many threads and megabytes, and every page its threads wrote while a
/// sandbox lived was then copied too (about 5 ms of CPU a sandbox under `crucible up`). The spawner also writes
/// each init's id maps: only the parent that has not reaped a process can use its pid without a reuse race.
///
/// Started on first use and again after it died (a sandbox whose spawner died is gone with it, and is
/// reported as a set-up failure, never as the program's). One request at a time; each takes well under a
/// millisecond.
final class Spawner: Sendable {
    private struct Running {
        var pid: pid_t
        var socket: Int32
        /// Which spawner of this runner's this is: the first is 1.
        var generation: Int
        /// The mount templates this spawner made.
        var templates = MountTemplates()
    }

    private let running = Mutex<Running?>(nil)
    private let started = Atomic<Int>(0)
    private let logger: Logger
    private let chosen: Mutex<SpawnerProgram>
    /// The program spawners run: the one chosen at start, or this program once that one turned out to be of
    /// another build.
    var program: SpawnerProgram { chosen.withLock { $0 } }

    init(logger: Logger, program: SpawnerProgram) {
        self.logger = logger
        self.chosen = Mutex(program)
        if !program.isSmall {
            // Not a warning: a one-shot command (which logs warnings) would print it into a program's stderr.
            // Services log it; `crucible agent --check` shows it.
            logger.notice(
                "sandboxes are cloned from crucible itself, about 0.4 ms slower each",
                metadata: ["reason": "\(program.summary)"])
        }
    }

    deinit {
        running.withLock { process in
            guard let current = process else { return }
            // Closing the socket makes it exit; its inits are already gone with their runners.
            close(current.socket)
            var status: Int32 = 0
            while waitpid(current.pid, &status, 0) < 0 && errno == EINTR {}
        }
    }

    /// Clones a sandbox's init for `spec` (see `csbx_spawn` for the result). A spawner found dead is
    /// replaced and the request made once more: nothing of the sandbox ran yet. `spawnedBy` is set to the
    /// spawner's generation, which reaping the init needs.
    func spawn(
        _ spec: inout csbx_spawn_spec, taskDescriptors: [Int32], child: inout csbx_child,
        failure: inout csbx_setup_error, spawnedBy: inout Int
    ) -> Int32 {
        for attempt in 1...2 {
            let result: Int32 = running.withLock { process in
                guard let socket = start(&process, failure: &failure) else { return -1 }
                spawnedBy = process?.generation ?? 0
                spec.template_id = process?.templates.id(for: spec, socket: socket, logger: logger) ?? -1
                var result = spawn(socket, &spec, taskDescriptors, &child, &failure)
                if result == -1 && spec.template_id >= 0 && failure.step == Int32(CSBX_STEP_MOUNT_TEMPLATE.rawValue) {
                    // Cloning from the template failed before any child existed: once more, building the root.
                    process?.templates.refuse(spec, because: failure, socket: socket, logger: logger)
                    spec.template_id = -1
                    result = spawn(socket, &spec, taskDescriptors, &child, &failure)
                }
                if result == -1 && failure.step == Int32(CSBX_STEP_SPAWNER.rawValue) { stop(&process) }
                return result
            }
            guard result == -1, failure.step == Int32(CSBX_STEP_SPAWNER.rawValue), attempt == 1 else { return result }
            logger.warning(
                "the sandbox spawner stopped answering; starting a new one", metadata: ["errno": "\(failure.error)"])
        }
        return -1
    }

    private func spawn(
        _ socket: Int32, _ spec: inout csbx_spawn_spec, _ taskDescriptors: [Int32], _ child: inout csbx_child,
        _ failure: inout csbx_setup_error
    ) -> Int32 {
        taskDescriptors.withUnsafeBufferPointer { tasks in
            csbx_spawn(socket, &spec, tasks.baseAddress, tasks.count, &child, &failure)
        }
    }

    /// Reaps an init whose pidfd is readable, made by the spawner of generation `spawnedBy`. Returns false
    /// when that spawner died meanwhile: the init was killed with it (and reaped by the system), so whatever
    /// it ran was cut short by us, not by itself. A later spawner is never asked: the pid may be its own
    /// child's by now.
    func reap(_ pid: pid_t, spawnedBy: Int) -> Bool {
        running.withLock { process in
            guard let current = process, current.generation == spawnedBy else { return false }
            switch csbx_spawner_reap(current.socket, pid) {
            case 0:
                return true
            case 1:
                logger.warning("the sandbox spawner could not reap an init", metadata: ["errno": "\(errno)"])
            default:
                logger.warning("the sandbox spawner did not answer a reap", metadata: ["errno": "\(errno)"])
                stop(&process)
            }
            return false
        }
    }

    /// The spawner's pid, once started (for tests).
    var processID: pid_t? { running.withLock { $0?.pid } }

    /// Mount templates the running spawner holds (for tests).
    var templateCount: Int { running.withLock { $0?.templates.count ?? 0 } }

    private func start(_ process: inout Running?, failure: inout csbx_setup_error) -> Int32? {
        if let current = process { return current.socket }
        var socket: Int32 = -1
        var pid = csbx_spawner_start(program.path, &socket)
        if pid < 0 && errno == EPROTO && program.isSmall {
            // An upgrade that replaced crucible but not crucible-spawner (or the reverse): their messages differ.
            let reason =
                "\(program.summary) is of another build than crucible (it does not speak this protocol); install "
                + "both from one build"
            logger.notice("sandboxes are cloned from crucible itself", metadata: ["reason": "\(reason)"])
            chosen.withLock { $0 = SpawnerProgram.itself(because: reason) }
            pid = csbx_spawner_start(program.path, &socket)
        }
        guard pid > 0 else {
            failure = csbx_setup_error(step: Int32(CSBX_STEP_SPAWNER.rawValue), error: errno, index: -1)
            return nil
        }
        process = Running(pid: pid, socket: socket, generation: started.add(1, ordering: .relaxed).newValue)
        logger.debug("sandbox spawner started", metadata: ["pid": "\(pid)", "program": "\(program.summary)"])
        return socket
    }

    private func stop(_ process: inout Running?) {
        guard let current = process else { return }
        close(current.socket)
        kill(current.pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(current.pid, &status, 0) < 0 && errno == EINTR {}
        process = nil
    }
}
