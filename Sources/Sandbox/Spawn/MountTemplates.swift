import CSandbox
import Foundation
import Logging

/// The spawner's mount templates (`csbx_spawner_template`), as crucible keeps track of them: one per root
/// skeleton and set of shared binds, made by the spawner now running. A sandbox cloned from a template does
/// not bind the node's files, pivot, or detach the node's mounts: it mounts only its own (tmpfs, proc, its
/// workdir).
///
/// A template's binds hold the files they were made on. A package upgrade or `ldconfig` replaces files by
/// rename, and a rebuilt image replaces its whole root, so every use first checks that each bind's source is
/// still the same file (device and inode, a `stat` each); a template whose sources changed is replaced.
/// Used under the spawner's lock.
struct MountTemplates {
    /// What a template holds: the skeleton and every bind a sandbox does not make itself.
    struct Key: Hashable {
        var root: String
        var binds: [String]
    }

    private struct Template {
        var id: Int32
        /// Which file each bind source (and the skeleton) was when the template was made, in `key(of:)`'s order.
        var identities: [FileIdentity?]
        var lastUse: UInt64
    }

    private var templates: [Key: Template] = [:]
    /// Keys whose template could not be made (or used): their sandboxes build the whole root, as before.
    private var refused: Set<Key> = []
    private var uses: UInt64 = 0
    /// Templates kept at once (the spawner's table has room for 32).
    static let capacity = 16

    var count: Int { templates.count }

    /// The template to clone `spec`'s sandbox from, made now if there is none or the one there is went stale;
    /// -1 when none can be had (the child then builds its whole root).
    mutating func id(for spec: csbx_spawn_spec, socket: Int32, logger: Logger) -> Int32 {
        let (key, sources) = Self.key(of: spec)
        if refused.contains(key) { return -1 }
        uses += 1
        let identities = sources.map(FileIdentity.init(path:))
        if var template = templates[key] {
            if template.identities == identities {
                template.lastUse = uses
                templates[key] = template
                return template.id
            }
            logger.debug("a mount template's sources changed; making a new one", metadata: ["root": "\(key.root)"])
            drop(key, socket: socket)
        }
        if templates.count >= Self.capacity, let oldest = templates.min(by: { $0.value.lastUse < $1.value.lastUse }) {
            drop(oldest.key, socket: socket)
        }
        var id: Int32 = -1
        var failure = csbx_setup_error()
        var copy = spec
        guard csbx_spawner_template(socket, &copy, &id, &failure) == 0 else {
            refuse(key, because: failure, logger: logger)
            return -1
        }
        templates[key] = Template(id: id, identities: identities, lastUse: uses)
        return id
    }

    /// A sandbox could not be cloned from the template made for `spec`: its sandboxes build the whole root.
    mutating func refuse(_ spec: csbx_spawn_spec, because failure: csbx_setup_error, socket: Int32, logger: Logger) {
        let (key, _) = Self.key(of: spec)
        drop(key, socket: socket)
        refuse(key, because: failure, logger: logger)
    }

    private mutating func refuse(_ key: Key, because failure: csbx_setup_error, logger: Logger) {
        refused.insert(key)
        // Not a warning: a one-shot command (which logs warnings) would print it into a program's stderr.
        logger.notice(
            "sandboxes of this root build it whole (no mount template)",
            metadata: [
                "root": "\(key.root)", "step": "\(String(cString: csbx_step_name(failure.step)))",
                "errno": "\(failure.error)",
            ])
    }

    private mutating func drop(_ key: Key, socket: Int32) {
        guard let template = templates.removeValue(forKey: key) else { return }
        _ = csbx_spawner_drop_template(socket, template.id)
    }

    /// The key of `spec`'s template, and the host paths its binds come from.
    private static func key(of spec: csbx_spawn_spec) -> (Key, [String]) {
        var binds: [String] = []
        var sources: [String] = []
        for index in 0..<spec.mount_count {
            let mount = spec.mounts[index]
            guard mount.kind == Int32(CSBX_MOUNT_BIND.rawValue),
                mount.flags & Int32(CSBX_MOUNT_PER_SANDBOX.rawValue) == 0,
                let source = mount.source.map({ String(cString: $0) }), let target = mount.target
            else { continue }
            binds.append("\(source)>\(String(cString: target)):\(mount.flags)")
            sources.append(source)
        }
        // Fresh filesystems are in the template only as mount points, but a proc there means a procfs under it.
        for index in 0..<spec.mount_count where spec.mounts[index].kind == Int32(CSBX_MOUNT_PROC.rawValue) {
            binds.append("proc>\(spec.mounts[index].target.map { String(cString: $0) } ?? "")")
        }
        let root = spec.root.map { String(cString: $0) } ?? ""
        return (Key(root: root, binds: binds), [root] + sources)
    }
}

/// Which file a path names now: a file replaced by rename is another file.
struct FileIdentity: Equatable {
    var device: UInt64
    var inode: UInt64

    /// nil when the path names nothing now.
    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }
}
