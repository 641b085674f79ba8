import Dispatch
import Foundation
import Sandbox
import Synchronization

/// On SIGINT or SIGTERM, kill every sandbox of this process, wait for their clean-up, then exit
/// 128 + the signal: a stopped crucible leaves no process, cgroup or mount behind.
enum SignalGuard {
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []
    private static let received = Atomic<Int32>(0)

    /// The signal that asked crucible to stop, if one did.
    static var pendingSignal: Int32? {
        let value = received.load(ordering: .acquiring)
        return value == 0 ? nil : value
    }

    /// Exits as the signal asked, if one came: a sandbox killed because crucible is stopping is not
    /// the program's own result.
    static func exitIfSignalled() {
        if let signalNumber = pendingSignal {
            LiveSandboxes.shared.shutdown()
            exit(128 + signalNumber)
        }
    }

    static func install() {
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                received.store(signalNumber, ordering: .releasing)
                LiveSandboxes.shared.shutdown()
                exit(128 + signalNumber)
            }
            source.resume()
            sources.append(source)
        }
    }
}
