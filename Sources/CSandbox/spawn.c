// The sandbox's birth: clone with new namespaces, build the root, drop privileges, exec.
//
// Between clone and execve only async-signal-safe system calls run: the child is a copy of the spawner,
// this program's binary with a Swift runtime whose locks a thread may have held at the clone. No malloc,
// no stdio, no locale; paths are built in fixed buffers on the stack.
#include "csandbox.h"
#include "spawn_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <linux/securebits.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <stdlib.h>
#include <poll.h>
#include <unistd.h>

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif
#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef SYS_pivot_root
#define SYS_pivot_root 155
#endif
#ifndef SYS_open_tree
#define SYS_open_tree 428
#define SYS_move_mount 429
#endif
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif
#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#define MOUNT_ATTR_NOSUID 0x00000002
#define MOUNT_ATTR_NODEV 0x00000004
#define MOUNT_ATTR_NOEXEC 0x00000008
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

// Our own copies of two kernel structs, so that <linux/sched.h> and <linux/mount.h> need not be
// mixed with glibc's headers (they clash on several definitions).
struct csbx_clone_args {
    uint64_t flags;
    uint64_t pidfd;
    uint64_t child_tid;
    uint64_t parent_tid;
    uint64_t exit_signal;
    uint64_t stack;
    uint64_t stack_size;
    uint64_t tls;
    uint64_t set_tid;
    uint64_t set_tid_size;
    uint64_t cgroup;
};

struct csbx_mount_attr {
    uint64_t attr_set;
    uint64_t attr_clr;
    uint64_t propagation;
    uint64_t userns_fd;
};

const char *csbx_step_name(int32_t step) {
    switch (step) {
    case CSBX_STEP_PIPES: return "create pipes";
    case CSBX_STEP_CLONE: return "clone namespaces";
    case CSBX_STEP_CLOSE_FDS: return "close inherited descriptors";
    case CSBX_STEP_WAIT_PARENT: return "wait for uid/gid maps";
    case CSBX_STEP_CGROUP_NAMESPACE: return "cgroup namespace";
    case CSBX_STEP_MOUNT_PRIVATE: return "make mounts private";
    case CSBX_STEP_ROOT_BIND: return "bind root skeleton";
    case CSBX_STEP_MOUNT: return "mount";
    case CSBX_STEP_MOUNT_ATTRIBUTES: return "set mount attributes";
    case CSBX_STEP_LOOPBACK: return "bring loopback up";
    case CSBX_STEP_HOSTNAME: return "set hostname";
    case CSBX_STEP_PIVOT_ROOT: return "pivot_root";
    case CSBX_STEP_DETACH_OLD_ROOT: return "detach old root";
    case CSBX_STEP_ROOT_READONLY: return "make root read-only";
    case CSBX_STEP_CHDIR: return "chdir to workdir";
    case CSBX_STEP_RLIMIT: return "setrlimit";
    case CSBX_STEP_SECUREBITS: return "set securebits";
    case CSBX_STEP_CAPABILITY_BOUNDING: return "drop bounding capabilities";
    case CSBX_STEP_CAPABILITY_AMBIENT: return "clear ambient capabilities";
    case CSBX_STEP_SETGROUPS: return "setgroups";
    case CSBX_STEP_SETGID: return "setresgid";
    case CSBX_STEP_SETUID: return "setresuid";
    case CSBX_STEP_CAPABILITIES: return "drop capabilities";
    case CSBX_STEP_NO_NEW_PRIVS: return "set no_new_privs";
    case CSBX_STEP_FORK_WORKLOAD: return "fork workload";
    case CSBX_STEP_SETSID: return "setsid";
    case CSBX_STEP_STDIO: return "set up stdio";
    case CSBX_STEP_SECCOMP: return "install seccomp filter";
    case CSBX_STEP_EXEC: return "execve";
    case CSBX_STEP_ID_MAPS: return "write uid/gid maps";
    case CSBX_STEP_CGROUP_MOVE: return "move into cgroups";
    case CSBX_STEP_SPAWNER: return "reach the sandbox spawner";
    case CSBX_STEP_MOUNT_TEMPLATE: return "mount template";
    default: return "unknown step";
    }
}

// ---- helpers safe to call in the child ----

static void csbx_fail(int error_fd, int32_t step, int32_t err, int32_t index) {
    csbx_setup_error report = {step, err, index};
    ssize_t ignored = write(error_fd, &report, sizeof report);
    (void)ignored;
    _exit(127);
}

static size_t csbx_strlen(const char *s) {
    size_t n = 0;
    while (s[n] != '\0') n++;
    return n;
}

/// Joins a and b into out (capacity cap); returns 0, or -1 when it does not fit.
static int csbx_join(char *out, size_t cap, const char *a, const char *b) {
    size_t la = csbx_strlen(a), lb = csbx_strlen(b);
    if (la + lb + 1 > cap) return -1;
    memcpy(out, a, la);
    memcpy(out + la, b, lb);
    out[la + lb] = '\0';
    return 0;
}

/// Closes every descriptor but those in keep (at most 24 entries).
static int csbx_close_all_but(const int *keep, int count) {
    int sorted[24];
    int n = 0;
    for (int i = 0; i < count && n < 24; i++) {
        if (keep[i] < 0) continue;
        int v = keep[i], j = n;
        while (j > 0 && sorted[j - 1] > v) {
            sorted[j] = sorted[j - 1];
            j--;
        }
        sorted[j] = v;
        n++;
    }
    unsigned int from = 0;
    for (int i = 0; i < n; i++) {
        if ((unsigned int)sorted[i] > from) {
            if (syscall(SYS_close_range, from, (unsigned int)sorted[i] - 1, 0) != 0) return -1;
        }
        from = (unsigned int)sorted[i] + 1;
    }
    return (int)syscall(SYS_close_range, from, ~0U, 0);
}

// Blocks until the parent sends `expected` on the sync socket; -1 if it sent anything else or hung up.
static int csbx_wait_for(int sync_fd, char expected) {
    char got = 0;
    ssize_t n;
    do {
        n = read(sync_fd, &got, 1);
    } while (n < 0 && errno == EINTR);
    return (n == 1 && got == expected) ? 0 : -1;
}

static int csbx_mount_setattr(const char *path, int recursive, uint64_t set) {
    struct csbx_mount_attr attr = {set, 0, 0, 0};
    return (int)syscall(SYS_mount_setattr, AT_FDCWD, path, recursive ? AT_RECURSIVE : 0, &attr, sizeof attr);
}

static int csbx_loopback_up(void) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct ifreq req;
    memset(&req, 0, sizeof req);
    memcpy(req.ifr_name, "lo", 3);
    if (ioctl(fd, SIOCGIFFLAGS, &req) != 0) {
        close(fd);
        return -1;
    }
    req.ifr_flags |= IFF_UP | IFF_RUNNING;
    int rc = ioctl(fd, SIOCSIFFLAGS, &req);
    close(fd);
    return rc;
}

/// Drops every capability from every set: bounding, ambient, effective, permitted, inheritable.
static void csbx_drop_privileges(const csbx_spawn_spec *spec, int error_fd) {
    // Lock the securebits first so that nothing later can make uid 0 special again.
    unsigned long bits = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP_LOCKED |
                         SECBIT_KEEP_CAPS_LOCKED | SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
    if (prctl(PR_SET_SECUREBITS, bits, 0, 0, 0) != 0) csbx_fail(error_fd, CSBX_STEP_SECUREBITS, errno, -1);
    for (int cap = 0; cap <= 63; cap++) {
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) {
            csbx_fail(error_fd, CSBX_STEP_CAPABILITY_BOUNDING, errno, cap);
        }
    }
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0) {
        csbx_fail(error_fd, CSBX_STEP_CAPABILITY_AMBIENT, errno, -1);
    }
    // Raw system calls, not glibc's wrappers: those broadcast the change to every thread glibc
    // believes the process has (the parent's, in this clone) and wait for answers that never come.
    if (syscall(SYS_setgroups, 0, NULL) != 0) csbx_fail(error_fd, CSBX_STEP_SETGROUPS, errno, -1);
    gid_t gid = (gid_t)spec->inside_gid;
    uid_t uid = (uid_t)spec->inside_uid;
    if (syscall(SYS_setresgid, gid, gid, gid) != 0) csbx_fail(error_fd, CSBX_STEP_SETGID, errno, -1);
    if (syscall(SYS_setresuid, uid, uid, uid) != 0) csbx_fail(error_fd, CSBX_STEP_SETUID, errno, -1);
    // The set-up ran as the host's uid 0, which is not mapped in the sandbox, so setresuid kept the
    // capabilities: clear them explicitly.
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    if (syscall(SYS_capset, &header, data) != 0) csbx_fail(error_fd, CSBX_STEP_CAPABILITIES, errno, -1);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) csbx_fail(error_fd, CSBX_STEP_NO_NEW_PRIVS, errno, -1);
}

/// The attributes a bind of `m` gets: nosuid always, and what its flags ask for.
static uint64_t csbx_bind_attributes(const csbx_mount *m) {
    uint64_t set = MOUNT_ATTR_NOSUID;
    if (m->flags & CSBX_MOUNT_READONLY) set |= MOUNT_ATTR_RDONLY;
    if (!(m->flags & CSBX_MOUNT_ALLOW_DEVICES)) set |= MOUNT_ATTR_NODEV;
    if (m->flags & CSBX_MOUNT_NOEXEC) set |= MOUNT_ATTR_NOEXEC;
    return set;
}

/// A fresh tmpfs or procfs for `m` at `path`: 0, or -1 with errno.
static int csbx_mount_fresh(const csbx_mount *m, const char *path) {
    unsigned long noexec = (m->flags & CSBX_MOUNT_NOEXEC) ? MS_NOEXEC : 0;
    switch (m->kind) {
    case CSBX_MOUNT_TMPFS: {
        unsigned long ro = (m->flags & CSBX_MOUNT_READONLY) ? MS_RDONLY : 0;
        return mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV | noexec | ro, m->data);
    }
    case CSBX_MOUNT_PROC: return mount("proc", path, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
    default: errno = EINVAL; return -1;
    }
}

/// Whether a sandbox cloned from a template makes `m` itself: fresh filesystems and its own workdir.
static int csbx_is_own_mount(const csbx_mount *m) {
    return m->kind != CSBX_MOUNT_BIND || (m->flags & CSBX_MOUNT_PER_SANDBOX);
}

/// Mounts the plan into the skeleton at spec->root and makes it the root. For a template (`template` set),
/// only what every sandbox shares: the binds (not a workdir) and, where the plan has a proc, a procfs of the
/// template builder's pid namespace, which dies with it: a sandbox's own procfs, mounted over it, needs one
/// fully visible procfs in its mount namespace already (the kernel's rule for mounting proc in a user
/// namespace), and this one shows no process.
static void csbx_build_root(const csbx_spawn_spec *spec, int template, int error_fd) {
    char path[4096];
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
        csbx_fail(error_fd, CSBX_STEP_MOUNT_PRIVATE, errno, -1);
    }
    if (mount(spec->root, spec->root, NULL, MS_BIND, NULL) != 0) {
        csbx_fail(error_fd, CSBX_STEP_ROOT_BIND, errno, -1);
    }
    for (size_t i = 0; i < spec->mount_count; i++) {
        const csbx_mount *m = &spec->mounts[i];
        if (template && csbx_is_own_mount(m) && m->kind != CSBX_MOUNT_PROC) continue;
        if (csbx_join(path, sizeof path, spec->root, m->target) != 0) {
            csbx_fail(error_fd, CSBX_STEP_MOUNT, ENAMETOOLONG, (int32_t)i);
        }
        if (m->kind == CSBX_MOUNT_BIND) {
            unsigned long rec = (m->flags & CSBX_MOUNT_RECURSIVE) ? MS_REC : 0;
            if (mount(m->source, path, NULL, MS_BIND | rec, NULL) != 0) {
                csbx_fail(error_fd, CSBX_STEP_MOUNT, errno, (int32_t)i);
            }
            // mount_setattr changes only the attributes named, so the source's locked flags
            // (atime, nodev of the host mount) never make the remount fail.
            if (csbx_mount_setattr(path, (m->flags & CSBX_MOUNT_RECURSIVE) != 0, csbx_bind_attributes(m)) != 0) {
                csbx_fail(error_fd, CSBX_STEP_MOUNT_ATTRIBUTES, errno, (int32_t)i);
            }
        } else if (csbx_mount_fresh(m, path) != 0) {
            csbx_fail(error_fd, CSBX_STEP_MOUNT, errno, (int32_t)i);
        }
    }
    if (chdir(spec->root) != 0) csbx_fail(error_fd, CSBX_STEP_PIVOT_ROOT, errno, -1);
    // pivot_root(".", ".") stacks the old root under the new one; detaching "." then drops it.
    if (syscall(SYS_pivot_root, ".", ".") != 0) csbx_fail(error_fd, CSBX_STEP_PIVOT_ROOT, errno, -1);
    if (umount2(".", MNT_DETACH) != 0) csbx_fail(error_fd, CSBX_STEP_DETACH_OLD_ROOT, errno, -1);
    if (chdir("/") != 0) csbx_fail(error_fd, CSBX_STEP_PIVOT_ROOT, errno, -1);
    if (csbx_mount_setattr("/", 0, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV) != 0) {
        csbx_fail(error_fd, CSBX_STEP_ROOT_READONLY, errno, -1);
    }
}

/// In a copy of a template (already its root): the sandbox's own mounts. Its workdir arrives as a detached
/// mount the spawner made (`own_fds[i]`), attached here.
static void csbx_mount_own(const csbx_spawn_spec *spec, const int *own_fds, int error_fd) {
    for (size_t i = 0; i < spec->mount_count; i++) {
        const csbx_mount *m = &spec->mounts[i];
        if (!csbx_is_own_mount(m)) continue;
        int rc;
        if (m->kind == CSBX_MOUNT_BIND) {
            rc = (int)syscall(SYS_move_mount, own_fds[i], "", AT_FDCWD, m->target, MOVE_MOUNT_F_EMPTY_PATH);
            close(own_fds[i]);
        } else {
            rc = csbx_mount_fresh(m, m->target);
        }
        if (rc != 0) csbx_fail(error_fd, CSBX_STEP_MOUNT, errno, (int32_t)i);
    }
}

typedef struct csbx_workload_context {
    const csbx_spawn_spec *spec;
    int error_fd;
} csbx_workload_context;

static void csbx_exec(const csbx_spawn_spec *spec, int error_fd) {
    const char *name = spec->argv[0];
    char *const *argv = (char *const *)spec->argv;
    char *const *envp = (char *const *)spec->envp;
    int has_slash = 0;
    for (const char *p = name; *p; p++) {
        if (*p == '/') has_slash = 1;
    }
    if (has_slash || spec->search_path == NULL) {
        execve(name, argv, envp);
        csbx_fail(error_fd, CSBX_STEP_EXEC, errno, -1);
    }
    // execvpe is not async-signal-safe (it may allocate), so search PATH by hand.
    char candidate[4096];
    int saw_eacces = 0;
    const char *dir = spec->search_path;
    size_t name_len = csbx_strlen(name);
    while (*dir) {
        const char *end = dir;
        while (*end && *end != ':') end++;
        size_t dir_len = (size_t)(end - dir);
        if (dir_len + name_len + 2 <= sizeof candidate) {
            memcpy(candidate, dir, dir_len);
            size_t at = dir_len;
            if (at == 0) candidate[at++] = '.';
            candidate[at++] = '/';
            memcpy(candidate + at, name, name_len + 1);
            execve(candidate, argv, envp);
            if (errno == EACCES) {
                saw_eacces = 1;
            } else if (errno != ENOENT && errno != ENOTDIR) {
                csbx_fail(error_fd, CSBX_STEP_EXEC, errno, -1);
            }
        }
        dir = *end ? end + 1 : end;
    }
    csbx_fail(error_fd, CSBX_STEP_EXEC, saw_eacces ? EACCES : ENOENT, -1);
}

/// The workload: a vfork-style child of the sandbox's init, so it is never pid 1.
static int csbx_workload_main(void *arg) {
    const csbx_workload_context *ctx = (const csbx_workload_context *)arg;
    const csbx_spawn_spec *spec = ctx->spec;
    int error_fd = ctx->error_fd;
    if (setsid() < 0) csbx_fail(error_fd, CSBX_STEP_SETSID, errno, -1);
    // Move every descriptor we need above 2 first, so the dup2s below cannot clobber one another.
    int err_high = fcntl(error_fd, F_DUPFD_CLOEXEC, 10);
    if (err_high < 0) csbx_fail(error_fd, CSBX_STEP_STDIO, errno, -1);
    error_fd = err_high;
    int in = fcntl(spec->stdin_fd, F_DUPFD_CLOEXEC, 10);
    int out = fcntl(spec->stdout_fd, F_DUPFD_CLOEXEC, 10);
    int err = fcntl(spec->stderr_fd, F_DUPFD_CLOEXEC, 10);
    if (in < 0 || out < 0 || err < 0) csbx_fail(error_fd, CSBX_STEP_STDIO, errno, -1);
    if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) csbx_fail(error_fd, CSBX_STEP_STDIO, errno, -1);
    int keep[4] = {0, 1, 2, error_fd};
    if (csbx_close_all_but(keep, 4) != 0) csbx_fail(error_fd, CSBX_STEP_CLOSE_FDS, errno, -1);
    for (size_t i = 0; i < spec->seccomp_filter_count; i++) {
        const csbx_filter *filter = &spec->seccomp_filters[i];
        struct sock_fprog prog = {(unsigned short)filter->length, (struct sock_filter *)filter->instructions};
        if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) {
            csbx_fail(error_fd, CSBX_STEP_SECCOMP, errno, (int32_t)i);
        }
    }
    csbx_exec(spec, error_fd);
    return 127;
}

// The workload's stack while it shares the init's memory until execve (CLONE_VM | CLONE_VFORK).
static char csbx_workload_stack[256 * 1024] __attribute__((aligned(16)));

/// Binds a sandbox cloned from a template makes itself (its workdir): at most this many.
#define CSBX_MAX_OWN_BINDS 4

/// The sandbox's init: pid 1 of the new pid namespace. Sets everything up, starts the workload,
/// reaps every orphan, and reports the workload's wait status. `own_fds`: cloned from a template, the
/// detached mounts of its own binds by mount index (NULL otherwise).
static void csbx_init_main(const csbx_spawn_spec *spec, int sync_fd, int error_fd, int status_fd,
                           const int *task_fds, size_t task_count, const int *own_fds) {
    int keep[24] = {spec->stdin_fd, spec->stdout_fd, spec->stderr_fd, sync_fd, error_fd, status_fd};
    int kept = 6;
    if (task_count > 10) csbx_fail(error_fd, CSBX_STEP_CLOSE_FDS, EMFILE, -1);
    for (size_t i = 0; i < task_count; i++) keep[kept++] = task_fds[i];
    for (size_t i = 0; own_fds != NULL && i < spec->mount_count; i++) {
        if (own_fds[i] >= 0 && kept < 24) keep[kept++] = own_fds[i];
    }
    if (csbx_close_all_but(keep, kept) != 0) csbx_fail(error_fd, CSBX_STEP_CLOSE_FDS, errno, -1);
    // If the spawner that cloned us dies, so do we (and with us the whole pid namespace).
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    // Into our v1 cgroups first, before anything is charged or run: "0" in a hierarchy's `tasks` file moves
    // the writing thread, our only one, and is the one move the kernel makes without its global lock
    // (whose RCU grace period a move by pid waits out). The files were opened by root; the descriptors go.
    for (size_t i = 0; i < task_count; i++) {
        ssize_t written;
        do {
            written = write(task_fds[i], "0", 1);
        } while (written < 0 && errno == EINTR);
        if (written != 1) csbx_fail(error_fd, CSBX_STEP_CGROUP_MOVE, written < 0 ? errno : EIO, (int32_t)i);
        close(task_fds[i]);
    }
    // 'g': our uid/gid maps are written, so the root can be built.
    if (csbx_wait_for(sync_fd, 'g') != 0) _exit(1);  // the parent gave up on us: leave quietly
    if (own_fds != NULL) {
        csbx_mount_own(spec, own_fds, error_fd);
    } else {
        csbx_build_root(spec, 0, error_fd);
    }
    if (spec->loopback_up && csbx_loopback_up() != 0) csbx_fail(error_fd, CSBX_STEP_LOOPBACK, errno, -1);
    if (spec->hostname && sethostname(spec->hostname, csbx_strlen(spec->hostname)) != 0) {
        csbx_fail(error_fd, CSBX_STEP_HOSTNAME, errno, -1);
    }
    if (chdir(spec->workdir) != 0) csbx_fail(error_fd, CSBX_STEP_CHDIR, errno, -1);
    for (size_t i = 0; i < spec->rlimit_count; i++) {
        struct rlimit rl = {(rlim_t)spec->rlimits[i].soft, (rlim_t)spec->rlimits[i].hard};
        if (setrlimit(spec->rlimits[i].resource, &rl) != 0) csbx_fail(error_fd, CSBX_STEP_RLIMIT, errno, (int32_t)i);
    }
    // 'c': crucible has registered us as a live sandbox (it kills us if it must stop). We are in our cgroups
    // (we moved ourselves, or were cloned into them) and nothing of the workload ran outside them.
    if (csbx_wait_for(sync_fd, 'c') != 0) _exit(1);
    close(sync_fd);
    // Root the cgroup namespace at our own cgroup.
    if (unshare(CLONE_NEWCGROUP) != 0) csbx_fail(error_fd, CSBX_STEP_CGROUP_NAMESPACE, errno, -1);
    csbx_drop_privileges(spec, error_fd);
    // Changing credentials cleared the parent-death signal: arm it again, so that we still die with the
    // spawner (and it dies with crucible).
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    // Not dumpable: the workload, same uid, can neither ptrace us nor read /proc/1/mem.
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);

    csbx_workload_context ctx = {spec, error_fd};
    pid_t workload = clone(csbx_workload_main, csbx_workload_stack + sizeof csbx_workload_stack,
                           CLONE_VM | CLONE_VFORK | SIGCHLD, &ctx);
    if (workload < 0) csbx_fail(error_fd, CSBX_STEP_FORK_WORKLOAD, errno, -1);

    // The workload has exec'd (or failed and said so): keep only the status pipe.
    int keep_status[1] = {status_fd};
    csbx_close_all_but(keep_status, 1);
    for (;;) {
        int status = 0;
        pid_t pid = waitpid(-1, &status, __WALL);
        if (pid == workload) {
            int32_t report = status;
            ssize_t ignored = write(status_fd, &report, sizeof report);
            (void)ignored;
            // Exiting as pid 1 makes the kernel kill everything left in the namespace.
            _exit(0);
        }
        if (pid < 0 && errno == ECHILD) _exit(0);
    }
}

static ssize_t csbx_read_report(int error_fd, csbx_setup_error *error, int32_t timeout_ms);

/// Detached copies of a sandbox's own binds (its workdir), made where the host's paths are visible, for
/// its init to attach in a copy of a template. 0, or -1 with `error` (the descriptors made are closed).
static int csbx_open_own_binds(const csbx_spawn_spec *spec, int *own_fds, csbx_setup_error *error) {
    int count = 0;
    for (size_t i = 0; i < spec->mount_count; i++) own_fds[i] = -1;
    for (size_t i = 0; i < spec->mount_count; i++) {
        const csbx_mount *m = &spec->mounts[i];
        if (m->kind != CSBX_MOUNT_BIND || !(m->flags & CSBX_MOUNT_PER_SANDBOX)) continue;
        int recursive = (m->flags & CSBX_MOUNT_RECURSIVE) ? AT_RECURSIVE : 0;
        int fd = count < CSBX_MAX_OWN_BINDS ? (int)syscall(SYS_open_tree, AT_FDCWD, m->source,
                                                             OPEN_TREE_CLONE | O_CLOEXEC | recursive)
                                            : (errno = E2BIG, -1);
        struct csbx_mount_attr attr = {csbx_bind_attributes(m), 0, 0, 0};
        if (fd < 0 || syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | recursive, &attr, sizeof attr) != 0) {
            *error = (csbx_setup_error){fd < 0 ? CSBX_STEP_MOUNT : CSBX_STEP_MOUNT_ATTRIBUTES, errno, (int32_t)i};
            if (fd >= 0) close(fd);
            for (size_t j = 0; j < i; j++) {
                if (own_fds[j] >= 0) close(own_fds[j]);
            }
            return -1;
        }
        own_fds[i] = fd;
        count++;
    }
    return 0;
}

int csbx_clone_init(
    const csbx_spawn_spec *spec, int sync_fd, int error_fd, int status_fd, const int *task_fds, size_t task_count,
    int template_fd, int home_mnt_fd, pid_t *pid_out, int *pidfd_out, csbx_setup_error *error) {
    int pidfd = -1;
    struct csbx_clone_args args;
    memset(&args, 0, sizeof args);
    args.flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_PIDFD;
    args.pidfd = (uint64_t)(uintptr_t)&pidfd;
    args.exit_signal = SIGCHLD;
    if (spec->cgroup_fd >= 0) {
        args.flags |= CLONE_INTO_CGROUP;
        args.cgroup = (uint64_t)spec->cgroup_fd;
    }
    int own_fds[spec->mount_count + 1];
    if (template_fd >= 0 && csbx_open_own_binds(spec, own_fds, error) != 0) return -1;
    long pid = -1;
    // A prepared network namespace is entered by this thread just for the clone, so the child is born
    // in it; making one inside clone costs about a millisecond that a pool can spend ahead of time.
    int home_net = -1;
    if (spec->net_ns_fd < 0) {
        args.flags |= CLONE_NEWNET;
    } else if ((home_net = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)) < 0 ||
               setns(spec->net_ns_fd, CLONE_NEWNET) != 0) {
        *error = (csbx_setup_error){CSBX_STEP_CLONE, errno, -1};
        goto done;
    }
    // Likewise a template's mount namespace: the child's is a copy of it (every mount in it locked, being
    // made by a more privileged namespace), already rooted in the skeleton.
    if (template_fd >= 0 && setns(template_fd, CLONE_NEWNS) != 0) {
        *error = (csbx_setup_error){CSBX_STEP_MOUNT_TEMPLATE, errno, -1};
        goto done;
    }
    pid = syscall(SYS_clone3, &args, sizeof args);
    if (pid == 0) {
        csbx_init_main(spec, sync_fd, error_fd, status_fd, task_fds, task_count, template_fd >= 0 ? own_fds : NULL);
        _exit(127);
    }
    if (pid < 0) *error = (csbx_setup_error){CSBX_STEP_CLONE, errno, -1};
    // Back home: a spawner left in a template or in a sandbox's network namespace must never run on.
    if (template_fd >= 0 && setns(home_mnt_fd, CLONE_NEWNS) != 0) abort();
done:
    if (home_net >= 0) {
        if (setns(home_net, CLONE_NEWNET) != 0) abort();
        close(home_net);
    }
    for (size_t i = 0; template_fd >= 0 && i < spec->mount_count; i++) {
        if (own_fds[i] >= 0) close(own_fds[i]);
    }
    if (pid < 0) return -1;
    *pid_out = (pid_t)pid;
    *pidfd_out = pidfd;
    return 0;
}

int csbx_build_template(const csbx_spawn_spec *spec, int *template_fd, csbx_setup_error *error) {
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) {
        *error = (csbx_setup_error){CSBX_STEP_PIPES, errno, -1};
        return -1;
    }
    // The builder: a new mount namespace (the template) and a new pid namespace, whose procfs (if the plan has
    // one) will show nothing once the builder is gone.
    long pid = syscall(SYS_clone, CLONE_NEWNS | CLONE_NEWPID | SIGCHLD, NULL, NULL, NULL, 0);
    if (pid == 0) {
        close(report[0]);
        prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        csbx_build_root(spec, 1, report[1]);
        csbx_setup_error done = {0, 0, -1};
        ssize_t ignored = write(report[1], &done, sizeof done);
        (void)ignored;
        for (;;) pause();  // until killed: its namespace must outlive it only through our descriptor
    }
    int saved = errno;
    close(report[1]);
    if (pid < 0) {
        close(report[0]);
        *error = (csbx_setup_error){CSBX_STEP_MOUNT_TEMPLATE, saved, -1};
        return -1;
    }
    csbx_setup_error got = {CSBX_STEP_MOUNT_TEMPLATE, EPIPE, -1};
    ssize_t have = csbx_read_report(report[0], &got, CSBX_TEMPLATE_TIMEOUT_MS);
    close(report[0]);
    int fd = -1;
    if (have == (ssize_t)sizeof got && got.step == 0) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%ld/ns/mnt", pid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) got = (csbx_setup_error){CSBX_STEP_MOUNT_TEMPLATE, errno, -1};
    } else if (have < (ssize_t)sizeof got) {
        got = (csbx_setup_error){CSBX_STEP_MOUNT_TEMPLATE, have < 0 ? ETIMEDOUT : EPIPE, -1};
    }
    kill((pid_t)pid, SIGKILL);
    while (waitpid((pid_t)pid, NULL, 0) < 0 && errno == EINTR) {
    }
    if (fd < 0) {
        *error = got;
        return -1;
    }
    *template_fd = fd;
    return 0;
}

int csbx_send_go_ahead(int fd, char byte) {
    ssize_t put;
    do {
        put = send(fd, &byte, 1, MSG_NOSIGNAL);
    } while (put < 0 && errno == EINTR);
    return put == 1 ? 0 : -1;
}

// Reads the child's set-up report from its error pipe: up to a whole record, until EOF (the child exec'd
// or died), or until `timeout_ms` passes without anything to read (-1 waits as long as it takes).
// Returns the bytes read, or -1 on a timeout.
static ssize_t csbx_read_report(int error_fd, csbx_setup_error *error, int32_t timeout_ms) {
    size_t have = 0;
    char *buffer = (char *)error;
    while (have < sizeof *error) {
        // A set-up that hangs must not hang the supervisor with it.
        struct pollfd ready = {error_fd, POLLIN, 0};
        int polled = poll(&ready, 1, timeout_ms);
        if (polled < 0 && errno == EINTR) continue;
        if (polled == 0) return -1;
        ssize_t got = read(error_fd, buffer + have, sizeof *error - have);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        have += (size_t)got;
    }
    return (ssize_t)have;
}

int csbx_release(csbx_child *child, csbx_setup_error *error, int32_t timeout_ms) {
    int sent = csbx_send_go_ahead(child->sync_fd, 'c');
    int saved = errno;
    close(child->sync_fd);
    child->sync_fd = -1;
    // EPIPE: the child died during set-up; its report (if any) is waiting on the error pipe.
    if (sent != 0 && saved != EPIPE) {
        errno = saved;
        return -1;
    }
    ssize_t have = csbx_read_report(child->error_fd, error, timeout_ms);
    close(child->error_fd);
    child->error_fd = -1;
    if (have < 0) return 2;
    if (have == 0 && sent == 0) return 0;
    if ((size_t)have < sizeof *error) {
        *error = (csbx_setup_error){CSBX_STEP_CLONE, EPIPE, -1};
    }
    return 1;
}

int csbx_reported_error(csbx_child *child, csbx_setup_error *error) {
    if (child->error_fd < 0) return 0;
    // The child is dead, so this never waits long: a whole record, or EOF.
    return csbx_read_report(child->error_fd, error, -1) == (ssize_t)sizeof *error ? 1 : 0;
}

int csbx_read_status(int32_t status_fd, int32_t *status) {
    ssize_t got;
    do {
        got = read(status_fd, status, sizeof *status);
    } while (got < 0 && errno == EINTR);
    return got == (ssize_t)sizeof *status ? 0 : -1;
}

int csbx_pidfd_signal(int32_t pidfd, int32_t signal) {
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
    return (int)syscall(SYS_pidfd_send_signal, pidfd, signal, NULL, 0);
}

int csbx_mount_namespace(int32_t pidfd, int32_t pid) {
#ifndef PIDFD_GET_MNT_NAMESPACE
#define PIDFD_GET_MNT_NAMESPACE _IO(0xFF, 3)  // linux/pidfd.h, 6.11
#endif
    int fd = ioctl(pidfd, PIDFD_GET_MNT_NAMESPACE, 0);
    if (fd >= 0) {
        // Never inherited by a program crucible starts later.
        if (fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
            close(fd);
            return -1;
        }
        return fd;
    }
    if ((errno != ENOTTY && errno != EINVAL) || pid <= 0) return -1;
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/ns/mnt", (int)pid);
    return open(path, O_RDONLY | O_CLOEXEC);
}

int csbx_netns_create(int32_t loopback_up) {
    int home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (home < 0) return -1;
    if (unshare(CLONE_NEWNET) != 0) {
        int saved = errno;
        close(home);
        errno = saved;
        return -1;
    }
    int fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    int saved = errno;
    if (fd >= 0 && loopback_up && csbx_loopback_up() != 0) {
        saved = errno;
        close(fd);
        fd = -1;
    }
    if (setns(home, CLONE_NEWNET) != 0) abort();
    close(home);
    errno = saved;
    return fd;
}
