import CSandbox
import Foundation

/// Fresh network namespaces made ahead of time. Making one costs about a millisecond of kernel work
/// (the loopback device, every protocol's per-namespace state); a thread of its own spends it while
/// no sandbox waits. Each namespace serves exactly one sandbox and is then dropped: nothing a program
/// leaves in its network (sockets, TIME_WAIT entries) can reach the next one.
///
/// The namespaces belong to the host's user namespace, so the program has no capability over its
/// network at all (it cannot even bring `lo` up or down); the pool sets `lo` up for `loopback`.
final class NetworkNamespacePool: @unchecked Sendable {
    // Every stored property below is guarded by `condition`.
    private let condition = NSCondition()
    private var spare: [NetworkMode: [Int32]] = [.none: [], .loopback: []]
    private var working = true
    private let target: Int

    init(spare target: Int = 3) {
        self.target = target
        let filler = Thread { [weak self] in self?.fill() }
        filler.name = "crucible-netns-pool"
        filler.stackSize = 256 << 10
        filler.start()
    }

    deinit {
        for fd in spare.values.joined() { close(fd) }
    }

    /// A namespace for one sandbox, or -1 when none could be made (the sandbox then makes its own).
    func take(_ mode: NetworkMode) -> Int32 {
        condition.lock()
        let fd = spare[mode]?.popLast()
        condition.signal()
        condition.unlock()
        return fd ?? csbx_netns_create(mode == .loopback ? 1 : 0)
    }

    func stop() {
        condition.lock()
        working = false
        condition.signal()
        condition.unlock()
    }

    private func fill() {
        while true {
            condition.lock()
            var mode: NetworkMode?
            while working {
                mode = NetworkMode.allCases.first { (spare[$0]?.count ?? 0) < target }
                if mode != nil { break }
                condition.wait()
            }
            condition.unlock()
            guard let mode else { return }
            let fd = csbx_netns_create(mode == .loopback ? 1 : 0)
            // Cannot make namespaces (not root, or a kernel without them): sandboxes make their own.
            if fd < 0 { return }
            condition.lock()
            spare[mode, default: []].append(fd)
            condition.unlock()
        }
    }
}
