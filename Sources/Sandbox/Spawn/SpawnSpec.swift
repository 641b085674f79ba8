import CSandbox
import Foundation

/// Lays the request out as the C structures csbx_spawn() reads, valid for the duration of `body`.
/// csbx_spawn sends a flat copy to the spawner, so nothing here needs to outlive the call.
func withSpawnSpec<R>(
    _ request: SandboxRequest, plan: PreparedPolicy, cgroup: any Cgroup, network: Int32, stdin: Int32, stdout: Int32,
    stderr: Int32,
    _ body: (inout csbx_spawn_spec) -> R
) -> R {
    let arena = CArena()
    let policy = request.policy
    let limits = policy.limits
    let identity = policy.identity

    var mounts: [csbx_mount] = []
    for planned in plan.skeleton.mounts {
        var mount = csbx_mount()
        mount.target = arena.string(planned.target)
        switch planned.kind {
        case .bind, .device:
            mount.kind = Int32(CSBX_MOUNT_BIND.rawValue)
            mount.source = planned.source.map(arena.string)
            var flags = planned.readOnly ? CSBX_MOUNT_READONLY.rawValue : 0
            if planned.recursive { flags |= CSBX_MOUNT_RECURSIVE.rawValue }
            if planned.kind == .device { flags |= CSBX_MOUNT_ALLOW_DEVICES.rawValue | CSBX_MOUNT_NOEXEC.rawValue }
            mount.flags = Int32(flags)
        case .tmpfs:
            mount.kind = Int32(CSBX_MOUNT_TMPFS.rawValue)
            let size = planned.size ?? limits.tmpSize
            mount.data = arena.string("size=\(size),nr_inodes=\(limits.inodes),mode=1777")
        case .proc:
            mount.kind = Int32(CSBX_MOUNT_PROC.rawValue)
        case .workdir:
            if let workdir = request.workdir {
                mount.kind = Int32(CSBX_MOUNT_BIND.rawValue)
                mount.source = arena.string(workdir)
                mount.flags = Int32(CSBX_MOUNT_PER_SANDBOX.rawValue)
            } else {
                // The sandbox's own disk: a tmpfs of work_size, owned by the program's uid.
                mount.kind = Int32(CSBX_MOUNT_TMPFS.rawValue)
                mount.data = arena.string(
                    "size=\(limits.workSize),nr_inodes=\(limits.inodes),mode=0755,uid=\(identity.insideUID),gid=\(identity.insideGID)"
                )
            }
        }
        mounts.append(mount)
    }
    let workdir = policy.mounts.first { $0.kind == .workdir }?.target ?? "/"

    let rlimits: [csbx_rlimit] = [
        csbx_rlimit(resource: Int32(RLIMIT_CORE.rawValue), soft: 0, hard: 0),
        csbx_rlimit(
            resource: Int32(RLIMIT_NOFILE.rawValue), soft: UInt64(limits.openFiles), hard: UInt64(limits.openFiles)),
        csbx_rlimit(resource: Int32(RLIMIT_FSIZE.rawValue), soft: limits.fileSize, hard: limits.fileSize),
        csbx_rlimit(resource: Int32(RLIMIT_STACK.rawValue), soft: limits.stack, hard: limits.stack),
    ]
    let filters = plan.seccomp.filters.map { bytes in
        csbx_filter(instructions: arena.bytes(bytes), length: bytes.count / 8)
    }
    let environment = policy.environment.map { "\($0.name)=\($0.value)" }

    var spec = csbx_spawn_spec()
    spec.root = arena.string(plan.skeleton.directory)
    spec.mounts = UnsafePointer(arena.array(mounts))
    spec.mount_count = mounts.count
    spec.workdir = arena.string(workdir)
    spec.hostname = arena.string(policy.hostname)
    // A pooled namespace comes with `lo` already set; only one the clone makes needs it here.
    spec.net_ns_fd = network
    spec.loopback_up = network < 0 && policy.network == .loopback ? 1 : 0
    spec.inside_uid = identity.insideUID
    spec.inside_gid = identity.insideGID
    spec.host_uid = request.hostUID
    spec.host_gid = request.hostGID
    spec.argv = arena.stringArray(request.command)
    spec.envp = arena.stringArray(environment)
    spec.search_path = arena.string(policy.searchPath)
    spec.stdin_fd = stdin
    spec.stdout_fd = stdout
    spec.stderr_fd = stderr
    spec.rlimits = UnsafePointer(arena.array(rlimits))
    spec.rlimit_count = rlimits.count
    spec.seccomp_filters = UnsafePointer(arena.array(filters))
    spec.seccomp_filter_count = filters.count
    spec.cgroup_fd = cgroup.cloneDirectoryFD
    spec.template_id = -1  // the spawner chooses one (Spawner.spawn)
    return body(&spec)
}

/// C memory for one spawn, freed together.
private final class CArena {
    private var blocks: [UnsafeMutableRawPointer] = []

    deinit {
        for block in blocks { block.deallocate() }
    }

    func string(_ text: String) -> UnsafePointer<CChar> {
        let utf8 = Array(text.utf8CString)
        let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: utf8.count)
        pointer.initialize(from: utf8, count: utf8.count)
        blocks.append(UnsafeMutableRawPointer(pointer))
        return UnsafePointer(pointer)
    }

    func stringArray(_ items: [String]) -> UnsafePointer<UnsafePointer<CChar>?> {
        let pointers: [UnsafePointer<CChar>?] = items.map { string($0) } + [nil]
        return UnsafePointer(array(pointers))
    }

    func array<T>(_ items: [T]) -> UnsafeMutablePointer<T> {
        let pointer = UnsafeMutablePointer<T>.allocate(capacity: max(items.count, 1))
        pointer.initialize(from: items, count: items.count)
        blocks.append(UnsafeMutableRawPointer(pointer))
        return pointer
    }

    func bytes(_ items: [UInt8]) -> UnsafeRawPointer {
        UnsafeRawPointer(array(items))
    }
}
