// CSandbox: the only code that runs between clone() and execve().
//
// The Swift side plans everything (mounts, limits, the seccomp program, the cgroup) and hands a
// plan to csbx_spawn(), which the spawner carries out. The child runs only async-signal-safe system
// calls, in the order bubblewrap and nsjail use: join its cgroups, wait for the uid/gid maps, build the
// root, pivot, limit, drop every privilege, install seccomp last, exec. Any failure is reported through a
// close-on-exec pipe as (step, errno, index) so the parent can say exactly what went wrong.
#ifndef CSANDBOX_H
#define CSANDBOX_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Kinds of mount the child performs inside its new root.
enum csbx_mount_kind {
    CSBX_MOUNT_BIND = 1,  ///< bind `source` (a host path) onto `target`
    CSBX_MOUNT_TMPFS = 2,  ///< a fresh tmpfs with options in `data` (size=…, nr_inodes=…, mode=…)
    CSBX_MOUNT_PROC = 3,  ///< a fresh procfs for the sandbox's own pid namespace
};

/// Flags of a mount.
enum csbx_mount_flag {
    CSBX_MOUNT_READONLY = 1 << 0,
    CSBX_MOUNT_RECURSIVE = 1 << 1,
    CSBX_MOUNT_NOEXEC = 1 << 2,
    CSBX_MOUNT_ALLOW_DEVICES = 1 << 3,  ///< device nodes on this mount work (only /dev/null and friends)
    CSBX_MOUNT_PER_SANDBOX = 1 << 4,  ///< a bind each sandbox makes for itself, also from a template (its workdir)
};

typedef struct csbx_mount {
    int32_t kind;
    int32_t flags;
    const char *source;  ///< host path for binds, NULL otherwise
    const char *target;  ///< absolute path inside the sandbox, e.g. "/usr"; must exist in the root skeleton
    const char *data;  ///< tmpfs options, NULL otherwise
} csbx_mount;

typedef struct csbx_rlimit {
    int32_t resource;  ///< RLIMIT_*
    uint64_t soft;
    uint64_t hard;
} csbx_rlimit;

/// One BPF program: an array of `struct sock_filter`.
typedef struct csbx_filter {
    const void *instructions;
    size_t length;  ///< number of instructions
} csbx_filter;

typedef struct csbx_spawn_spec {
    const char *root;  ///< host directory holding the root skeleton (mount points, /etc files)
    const csbx_mount *mounts;
    size_t mount_count;
    const char *workdir;  ///< working directory inside the sandbox
    const char *hostname;
    int32_t loopback_up;  ///< bring `lo` up in the sandbox's own network namespace

    uint32_t inside_uid;  ///< the workload's uid inside, mapped to host_uid (an unprivileged host uid)
    uint32_t inside_gid;
    uint32_t host_uid;
    uint32_t host_gid;

    const char *const *argv;  ///< NULL-terminated; argv[0] is a path or a name looked up in search_path
    const char *const *envp;  ///< NULL-terminated; the whole environment of the workload
    const char *search_path;  ///< colon-separated directories searched for argv[0] when it has no '/'

    int32_t stdin_fd;  ///< become 0, 1 and 2 of the workload
    int32_t stdout_fd;
    int32_t stderr_fd;

    const csbx_rlimit *rlimits;
    size_t rlimit_count;

    const csbx_filter *seccomp_filters;  ///< installed in order, last of all; the strictest verdict wins
    size_t seccomp_filter_count;

    int32_t cgroup_fd;  ///< cgroup v2 directory to clone into, or -1 (v1: the child moves itself in)
    int32_t net_ns_fd;  ///< a fresh network namespace made by csbx_netns_create, or -1 to create one in clone
    /// A mount template the spawner made for this root and these mounts (csbx_spawner_template), or -1: the
    /// child then builds the whole root itself.
    int32_t template_id;
} csbx_spawn_spec;

/// A sandbox whose init process exists and waits for csbx_release() before it starts the workload.
typedef struct csbx_child {
    pid_t pid;  ///< host pid of the sandbox's init (pid 1 inside); the spawner's child, reaped on request
    int32_t pidfd;  ///< pidfd of that init, for poll() and signals without pid reuse races
    int32_t sync_fd;  ///< a socket: 'c' tells the child crucible watches it now and it may start the workload
    int32_t error_fd;  ///< a csbx_setup_error arrives here on failure; EOF means the workload exec'd
    int32_t status_fd;  ///< the workload's wait status (int32) arrives here when it ends
} csbx_child;

/// Each step of sandbox set-up, reported with the errno when it fails.
enum csbx_step {
    CSBX_STEP_PIPES = 1,
    CSBX_STEP_CLONE,
    CSBX_STEP_CLOSE_FDS,
    CSBX_STEP_WAIT_PARENT,
    CSBX_STEP_CGROUP_NAMESPACE,
    CSBX_STEP_MOUNT_PRIVATE,
    CSBX_STEP_ROOT_BIND,
    CSBX_STEP_MOUNT,
    CSBX_STEP_MOUNT_ATTRIBUTES,
    CSBX_STEP_LOOPBACK,
    CSBX_STEP_HOSTNAME,
    CSBX_STEP_PIVOT_ROOT,
    CSBX_STEP_DETACH_OLD_ROOT,
    CSBX_STEP_ROOT_READONLY,
    CSBX_STEP_CHDIR,
    CSBX_STEP_RLIMIT,
    CSBX_STEP_SECUREBITS,
    CSBX_STEP_CAPABILITY_BOUNDING,
    CSBX_STEP_CAPABILITY_AMBIENT,
    CSBX_STEP_SETGROUPS,
    CSBX_STEP_SETGID,
    CSBX_STEP_SETUID,
    CSBX_STEP_CAPABILITIES,
    CSBX_STEP_NO_NEW_PRIVS,
    CSBX_STEP_FORK_WORKLOAD,
    CSBX_STEP_SETSID,
    CSBX_STEP_STDIO,
    CSBX_STEP_SECCOMP,
    CSBX_STEP_EXEC,
    CSBX_STEP_ID_MAPS,  ///< the spawner writing the child's uid/gid maps
    CSBX_STEP_CGROUP_MOVE,  ///< the child moving itself into its v1 cgroups
    CSBX_STEP_SPAWNER,  ///< reaching the spawner (it died, or did not answer)
    CSBX_STEP_MOUNT_TEMPLATE,  ///< making a mount template, or cloning the child from one
};

typedef struct csbx_setup_error {
    int32_t step;  ///< enum csbx_step
    int32_t error;  ///< errno
    int32_t index;  ///< the mount or rlimit that failed, or -1
} csbx_setup_error;

/// A short name of a step, for messages ("pivot_root", "mount", …).
const char *csbx_step_name(int32_t step);

// ---- The spawner ----
//
// Sandboxes are not cloned from crucible itself (a service of many threads and megabytes, whose page tables
// a clone copies and whose every later write is a copy-on-write fault while the sandbox's init lives) but
// from the spawner, a process that does nothing but clone inits, write their id maps and reap them: the
// small static program `crucible-spawner` (Sources/crucible-spawner) or, without it, this same program
// exec'd afresh. The init is the spawner's child: its pid stays its own until csbx_spawner_reap, so nothing
// ever writes a pid that might have been reused. The spawner exits when its socket closes (crucible is
// gone); every init dies with it.

/// Starts a spawner: `executable` (`crucible-spawner`, or this program's own binary) exec'd with argv[0]
/// "crucible-spawner". Returns its pid and, in `socket_fd`, crucible's end of its socket; -1 with errno
/// (EPROTO: it did not greet with this build's protocol, being of another build; it is stopped).
pid_t csbx_spawner_start(const char *executable, int32_t *socket_fd);

/// Serves as the spawner, for good, when this process was started by csbx_spawner_start; returns otherwise.
void csbx_spawner_main(int argc, char **argv, char **envp);

/// Asks the spawner to clone the sandbox's init for `spec`, write its uid/gid maps and let it build its root.
/// The init first moves itself into the v1 cgroups whose `tasks` files are open in `tasks_fds` (none on v2,
/// where `spec->cgroup_fd` clones it there). The spec's descriptors are sent to the spawner, which closes its
/// copies. Returns 0 (`child` filled, waiting for csbx_release), -1 when no child exists (`error` filled;
/// step CSBX_STEP_SPAWNER when the spawner could not be reached), or 1 when a child exists but its set-up
/// failed (`error` and `child` filled: kill it, read its own report with csbx_reported_error, reap it).
int csbx_spawn(
    int32_t spawner_fd, const csbx_spawn_spec *spec, const int32_t *tasks_fds, size_t tasks_count,
    csbx_child *child, csbx_setup_error *error);

/// Asks the spawner for a mount template of `spec`'s root: a mount namespace it keeps, in which the root skeleton
/// has every mount that is the same for each sandbox (binds of the node's or the image's files, devices) made,
/// read-only, and pivoted into; a child cloned from it mounts only its own (tmpfs, proc, its workdir) and does
/// not pivot. A template's binds see the files they were made on: one replaced by rename needs a new template.
/// `spec`'s descriptors are not sent. Returns 0 with `template_id`, or -1 with `error` filled.
int csbx_spawner_template(int32_t spawner_fd, const csbx_spawn_spec *spec, int32_t *template_id,
                          csbx_setup_error *error);

/// Asks the spawner to drop a template. Returns 0, or -1 with errno.
int csbx_spawner_drop_template(int32_t spawner_fd, int32_t template_id);

/// Reaps an init that has exited (its pidfd is readable). Returns 0; 1 with errno when the spawner answered
/// that it could not (ECHILD: not its child); -1 with errno when it did not answer (EPIPE or ECONNRESET: it
/// is gone, and every init with it; EAGAIN: it is stuck).
int csbx_spawner_reap(int32_t spawner_fd, pid_t pid);

/// Lets the child go on to start the workload (it is in its cgroups now) and waits (up to timeout_ms)
/// until the workload has exec'd or set-up failed. Returns 0 once exec'd, 1 when set-up failed (`error`
/// filled), 2 when set-up did not finish in time, -1 with errno on a parent-side failure.
int csbx_release(csbx_child *child, csbx_setup_error *error, int32_t timeout_ms);

/// After the child was killed and reaped: the set-up failure it reported before dying, if any. Returns 1
/// with `error` filled, else 0.
int csbx_reported_error(csbx_child *child, csbx_setup_error *error);

/// Reads the workload's wait status (after the init has exited). Returns 0, or -1 when none was sent
/// (the init was killed before the workload ended).
int csbx_read_status(int32_t status_fd, int32_t *status);

/// Makes a fresh network namespace (owned by the host's user namespace, so the sandbox has no
/// capability over it) with `lo` up or down, and returns a descriptor of it, or -1 with errno.
/// Runs unshare/setns on the calling thread and puts the thread back where it was.
int csbx_netns_create(int32_t loopback_up);

/// Sends a signal through a pidfd (no pid-reuse race). Returns 0 or -1 with errno.
int csbx_pidfd_signal(int32_t pidfd, int32_t signal);

/// A descriptor of the mount namespace of the live process behind `pidfd` (`pid` in this process's pid
/// namespace, for kernels before 6.11 that cannot say through the pidfd), or -1 with errno. Held, the
/// namespace outlives its last process, whose exit then need not tear it down.
int csbx_mount_namespace(int32_t pidfd, int32_t pid);

/// memfd_create(name, MFD_CLOEXEC).
int csbx_memfd(const char *name);
/// pipe2(fds, O_CLOEXEC).
int csbx_pipe_cloexec(int32_t fds[2]);
/// fcntl(fd, F_SETPIPE_SZ, size).
int csbx_set_pipe_size(int32_t fd, int32_t size);

/// openat2(dirfd, path, flags, mode) that refuses to leave `dirfd` and refuses every symlink on the
/// way (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS): how the supervisor, as root,
/// touches a workspace that sandboxed code has had its hands on. Returns a descriptor or -1 with errno.
int csbx_open_beneath(int32_t dirfd, const char *path, int32_t flags, uint32_t mode);

/// openat2(rootfd, path, flags | O_CLOEXEC) as if `rootfd` were the root directory: `..` and symlinks,
/// absolute ones included, are resolved inside it and never above it (RESOLVE_IN_ROOT |
/// RESOLVE_NO_MAGICLINKS). How a built image's paths are looked up on the host: a link in the image
/// that says /etc must mean the image's /etc, not the node's. Returns a descriptor or -1 with errno.
int csbx_open_in_root(int32_t rootfd, const char *path, int32_t flags);

/// renameat2(from, to, RENAME_EXCHANGE): swaps two existing paths in one step, so a rebuilt image
/// replaces the old one with no moment at which neither (or half of one) is in place. 0 or -1 with errno.
int csbx_rename_exchange(const char *from, const char *to);

// Hostile probes need a few instructions Swift cannot express. They run only inside a sandbox.

/// Any system call by number with six arguments; returns the result, or -errno.
long csbx_probe_syscall(long number, long a0, long a1, long a2, long a3, long a4, long a5);
/// Calls getpid through the 32-bit `int 0x80` gate; returns what the kernel returned, or -1 where absent.
long csbx_probe_int80_getpid(void);
/// Calls getpid through the x32 ABI (syscall number | 0x40000000); returns the raw result.
long csbx_probe_x32_getpid(void);

#ifdef __cplusplus
}
#endif

#endif
