// The spawner: the small process every sandbox's init is cloned from (see csandbox.h), and crucible's side
// of talking to it.
//
// One request, one reply, on a SOCK_SEQPACKET socket (crucible sends one request at a time). A request is
// a header, then the spec laid out flat (every pointer an offset into the message), with its descriptors
// attached (SCM_RIGHTS). The reply carries the init's pid and, attached, its pidfd.
#include "csandbox.h"
#include "spawn_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#define CSBX_SPAWNER_NAME "crucible-spawner"
#define CSBX_SPAWNER_ENV "CSBX_SPAWNER_SOCKET=3"
#define CSBX_SPAWNER_FD 3
/// Command line, environment, mounts and seccomp programs together; as much as execve itself accepts.
#define CSBX_MAX_MESSAGE (2u << 20)
/// stdin, stdout, stderr, the three channels (sync twice), cgroup, network, and up to 7 cgroup `tasks` files.
#define CSBX_MAX_FDS 16
/// A spawner that does not answer within this long is taken for dead.
#define CSBX_REPLY_TIMEOUT_S 10
_Static_assert(
    CSBX_TEMPLATE_TIMEOUT_MS < CSBX_REPLY_TIMEOUT_S * 1000, "a template must fail before its reply times out");
/// What a spawner says first, so that crucible never talks to one of another build (an upgrade that replaced
/// crucible but not crucible-spawner): the message layout changes between versions. Raise it with any change.
#define CSBX_PROTOCOL_MAGIC 0x43534258u  // "CSBX"
#define CSBX_PROTOCOL_VERSION 2u
/// How long a spawner may take to say it.
#define CSBX_HELLO_TIMEOUT_MS 5000

enum { CSBX_REQUEST_SPAWN = 1, CSBX_REQUEST_REAP = 2, CSBX_REQUEST_TEMPLATE = 3, CSBX_REQUEST_DROP_TEMPLATE = 4 };
/// Mount templates a spawner keeps (one per prepared policy in use; crucible drops the ones it stops using).
#define CSBX_MAX_TEMPLATES 32
enum { CSBX_REPLY_OK = 0, CSBX_REPLY_NO_CHILD = -1, CSBX_REPLY_CHILD_FAILED = 1 };

typedef struct csbx_request {
    uint32_t kind;
    int32_t pid;  ///< REAP: the init to reap; DROP_TEMPLATE: the template
    uint32_t tasks_count;  ///< SPAWN: cgroup `tasks` descriptors, the last ones attached
    uint32_t spec_size;
} csbx_request;

typedef struct csbx_reply {
    int32_t result;  ///< CSBX_REPLY_*; REAP, DROP_TEMPLATE: 0 or -errno
    int32_t pid;  ///< SPAWN: the init; TEMPLATE: the template's id
    csbx_setup_error error;
} csbx_reply;

// Attached descriptors of a SPAWN request, in this order; cgroup and network only when the spec has them.
enum { CSBX_FD_STDIN, CSBX_FD_STDOUT, CSBX_FD_STDERR, CSBX_FD_SYNC_CHILD, CSBX_FD_SYNC_PARENT, CSBX_FD_ERROR,
       CSBX_FD_STATUS, CSBX_FD_FIXED };

// ---- The spec, laid out flat ----

typedef struct csbx_packer {
    char *base;  ///< NULL while measuring
    size_t used;
} csbx_packer;

/// Appends `length` bytes (aligned to 8) and returns their offset; offset 0 is the spec itself, so 0 means NULL
/// (and an empty array is NULL: an offset at the very end would point outside the message).
static uint64_t csbx_pack(csbx_packer *packer, const void *data, size_t length) {
    if (length == 0 && packer->used > 0) return 0;
    size_t at = (packer->used + 7) & ~(size_t)7;
    if (packer->base != NULL && length > 0) memcpy(packer->base + at, data, length);
    packer->used = at + length;
    return at;
}

static uint64_t csbx_pack_string(csbx_packer *packer, const char *text) {
    return text == NULL ? 0 : csbx_pack(packer, text, strlen(text) + 1);
}

static uint64_t csbx_pack_strings(csbx_packer *packer, const char *const *items) {
    if (items == NULL) return 0;
    size_t count = 0;
    while (items[count] != NULL) count++;
    uint64_t offsets[count + 1];
    for (size_t i = 0; i < count; i++) offsets[i] = csbx_pack_string(packer, items[i]);
    offsets[count] = 0;
    return csbx_pack(packer, offsets, sizeof offsets);
}

/// Lays `spec` out, its descriptor fields replaced by their indexes among the attached descriptors
/// (`cgroup_index`, `net_index`: -1 when the spec has none).
static void csbx_pack_spec(csbx_packer *packer, const csbx_spawn_spec *spec, int32_t cgroup_index, int32_t net_index) {
    csbx_spawn_spec flat = *spec;
    csbx_pack(packer, &flat, sizeof flat);  // room for it at offset 0; rewritten below
    flat.root = (const char *)(uintptr_t)csbx_pack_string(packer, spec->root);
    csbx_mount mounts[spec->mount_count + 1];
    for (size_t i = 0; i < spec->mount_count; i++) {
        mounts[i] = spec->mounts[i];
        mounts[i].source = (const char *)(uintptr_t)csbx_pack_string(packer, spec->mounts[i].source);
        mounts[i].target = (const char *)(uintptr_t)csbx_pack_string(packer, spec->mounts[i].target);
        mounts[i].data = (const char *)(uintptr_t)csbx_pack_string(packer, spec->mounts[i].data);
    }
    flat.mounts = (const csbx_mount *)(uintptr_t)csbx_pack(packer, mounts, spec->mount_count * sizeof(csbx_mount));
    flat.workdir = (const char *)(uintptr_t)csbx_pack_string(packer, spec->workdir);
    flat.hostname = (const char *)(uintptr_t)csbx_pack_string(packer, spec->hostname);
    flat.argv = (const char *const *)(uintptr_t)csbx_pack_strings(packer, spec->argv);
    flat.envp = (const char *const *)(uintptr_t)csbx_pack_strings(packer, spec->envp);
    flat.search_path = (const char *)(uintptr_t)csbx_pack_string(packer, spec->search_path);
    flat.rlimits =
        (const csbx_rlimit *)(uintptr_t)csbx_pack(packer, spec->rlimits, spec->rlimit_count * sizeof(csbx_rlimit));
    csbx_filter filters[spec->seccomp_filter_count + 1];
    for (size_t i = 0; i < spec->seccomp_filter_count; i++) {
        filters[i].length = spec->seccomp_filters[i].length;
        filters[i].instructions = (const void *)(uintptr_t)csbx_pack(
            packer, spec->seccomp_filters[i].instructions, spec->seccomp_filters[i].length * 8);
    }
    flat.seccomp_filters =
        (const csbx_filter *)(uintptr_t)csbx_pack(packer, filters, spec->seccomp_filter_count * sizeof(csbx_filter));
    flat.stdin_fd = CSBX_FD_STDIN;
    flat.stdout_fd = CSBX_FD_STDOUT;
    flat.stderr_fd = CSBX_FD_STDERR;
    flat.cgroup_fd = cgroup_index;
    flat.net_ns_fd = net_index;
    if (packer->base != NULL) memcpy(packer->base, &flat, sizeof flat);
}

/// `spec` laid out flat in a new buffer (the caller frees it), its size in `size`; NULL with errno E2BIG when it
/// would not fit in a message, ENOMEM when there is no memory for it.
static char *csbx_packed_spec(const csbx_spawn_spec *spec, int32_t cgroup_index, int32_t net_index, size_t *size) {
    csbx_packer packer = {NULL, 0};
    csbx_pack_spec(&packer, spec, cgroup_index, net_index);
    if (packer.used + sizeof(csbx_request) > CSBX_MAX_MESSAGE) {
        errno = E2BIG;
        return NULL;
    }
    char *body = calloc(1, packer.used);
    if (body == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    packer = (csbx_packer){body, 0};
    csbx_pack_spec(&packer, spec, cgroup_index, net_index);
    *size = packer.used;
    return body;
}

/// A string at `offset` of the message, or NULL for offset 0; `fail` is set when it does not end inside.
static const char *csbx_string_at(char *base, size_t size, uint64_t offset, int *fail) {
    if (offset == 0) return NULL;
    if (offset >= size || memchr(base + offset, '\0', size - offset) == NULL) {
        *fail = 1;
        return NULL;
    }
    return base + offset;
}

/// Turns a received message back into a spec whose pointers point into it. -1 when anything points outside.
static int csbx_unpack_spec(char *base, size_t size, csbx_spawn_spec *spec) {
#define CSBX_AT(offset, type) ((offset) == 0 ? NULL : (offset) >= size ? (fail = 1, NULL) : (type)(base + (offset)))
#define CSBX_STRING(offset) csbx_string_at(base, size, (uintptr_t)(offset), &fail)
    int fail = 0;
    if (size < sizeof *spec) return -1;
    memcpy(spec, base, sizeof *spec);
    spec->root = CSBX_STRING(spec->root);
    spec->workdir = CSBX_STRING(spec->workdir);
    spec->hostname = CSBX_STRING(spec->hostname);
    spec->search_path = CSBX_STRING(spec->search_path);
    csbx_mount *mounts = CSBX_AT((uintptr_t)spec->mounts, csbx_mount *);
    if ((uintptr_t)spec->mounts + spec->mount_count * sizeof(csbx_mount) > size) return -1;
    for (size_t i = 0; mounts != NULL && i < spec->mount_count; i++) {
        mounts[i].source = CSBX_STRING(mounts[i].source);
        mounts[i].target = CSBX_STRING(mounts[i].target);
        mounts[i].data = CSBX_STRING(mounts[i].data);
    }
    spec->mounts = mounts;
    if ((uintptr_t)spec->rlimits + spec->rlimit_count * sizeof(csbx_rlimit) > size) return -1;
    spec->rlimits = CSBX_AT((uintptr_t)spec->rlimits, const csbx_rlimit *);
    if ((uintptr_t)spec->seccomp_filters + spec->seccomp_filter_count * sizeof(csbx_filter) > size) return -1;
    csbx_filter *filters = CSBX_AT((uintptr_t)spec->seccomp_filters, csbx_filter *);
    for (size_t i = 0; filters != NULL && i < spec->seccomp_filter_count; i++) {
        if ((uintptr_t)filters[i].instructions + filters[i].length * 8 > size) return -1;
        filters[i].instructions = CSBX_AT((uintptr_t)filters[i].instructions, const void *);
    }
    spec->seccomp_filters = filters;
    const char **lists[2] = {NULL, NULL};
    uint64_t list_offsets[2] = {(uintptr_t)spec->argv, (uintptr_t)spec->envp};
    for (int l = 0; l < 2; l++) {
        uint64_t *offsets = CSBX_AT(list_offsets[l], uint64_t *);
        if (offsets == NULL) continue;
        const char **items = (const char **)offsets;
        for (size_t i = 0;; i++) {
            if (list_offsets[l] + (i + 1) * sizeof(uint64_t) > size) return -1;
            if (offsets[i] == 0) {
                items[i] = NULL;
                break;
            }
            items[i] = CSBX_STRING(offsets[i]);
        }
        lists[l] = items;
    }
    spec->argv = lists[0];
    spec->envp = lists[1];
    if (spec->argv == NULL || spec->argv[0] == NULL || spec->envp == NULL || spec->root == NULL) return -1;
#undef CSBX_AT
#undef CSBX_STRING
    return fail ? -1 : 0;
}

// ---- Messages ----

static ssize_t csbx_send_message(int socket_fd, const void *head, size_t head_size, const void *body,
                                 size_t body_size, const int *fds, size_t fd_count) {
    struct iovec parts[2] = {{(void *)head, head_size}, {(void *)body, body_size}};
    char control[CMSG_SPACE(sizeof(int) * CSBX_MAX_FDS)];
    memset(control, 0, sizeof control);
    struct msghdr message = {0};
    message.msg_iov = parts;
    message.msg_iovlen = body_size > 0 ? 2 : 1;
    if (fd_count > 0) {
        message.msg_control = control;
        message.msg_controllen = CMSG_SPACE(sizeof(int) * fd_count);
        struct cmsghdr *header = CMSG_FIRSTHDR(&message);
        header->cmsg_level = SOL_SOCKET;
        header->cmsg_type = SCM_RIGHTS;
        header->cmsg_len = CMSG_LEN(sizeof(int) * fd_count);
        memcpy(CMSG_DATA(header), fds, sizeof(int) * fd_count);
    }
    ssize_t sent;
    do {
        sent = sendmsg(socket_fd, &message, MSG_NOSIGNAL);
    } while (sent < 0 && errno == EINTR);
    return sent;
}

/// Receives one message into `buffer`; its descriptors (close-on-exec) into `fds`. Returns the bytes, 0 at
/// end of file, -1 with errno (EMSGSIZE: the message or its descriptors did not fit; they are closed).
static ssize_t csbx_receive_message(int socket_fd, void *buffer, size_t size, int *fds, size_t *fd_count) {
    struct iovec part = {buffer, size};
    char control[CMSG_SPACE(sizeof(int) * CSBX_MAX_FDS)];
    struct msghdr message = {0};
    message.msg_iov = &part;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof control;
    ssize_t got;
    do {
        got = recvmsg(socket_fd, &message, MSG_CMSG_CLOEXEC);
    } while (got < 0 && errno == EINTR);
    *fd_count = 0;
    if (got < 0) return -1;
    for (struct cmsghdr *header = CMSG_FIRSTHDR(&message); header; header = CMSG_NXTHDR(&message, header)) {
        if (header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_RIGHTS) continue;
        size_t count = (header->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        int *received = (int *)CMSG_DATA(header);
        for (size_t i = 0; i < count; i++) {
            if (*fd_count < CSBX_MAX_FDS) {
                fds[(*fd_count)++] = received[i];
            } else {
                close(received[i]);
            }
        }
    }
    if (message.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
        for (size_t i = 0; i < *fd_count; i++) close(fds[i]);
        *fd_count = 0;
        errno = EMSGSIZE;
        return -1;
    }
    return got;
}

// ---- The spawner's side ----

/// The spawner's mount templates by id (-1: free), and its own mount namespace to return to after a clone.
static int csbx_templates[CSBX_MAX_TEMPLATES];
static int csbx_home_mnt = -1;

/// The descriptor of template `id`, or -1 when there is none by that id.
static int csbx_template(int32_t id) {
    return id >= 0 && id < CSBX_MAX_TEMPLATES ? csbx_templates[id] : -1;
}

static int csbx_write_file(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    size_t length = strlen(text);
    ssize_t written = write(fd, text, length);
    int saved = errno;
    close(fd);
    if (written == (ssize_t)length) return 0;
    errno = written < 0 ? saved : EIO;
    return -1;
}

/// Clones one init and readies it; fills `reply` and, when a child exists, its pidfd.
static void csbx_serve_spawn(char *message, size_t size, const int *fds, size_t fd_count, uint32_t tasks_count,
                             csbx_reply *reply, int *pidfd) {
    csbx_spawn_spec spec;
    reply->result = CSBX_REPLY_NO_CHILD;
    reply->error = (csbx_setup_error){CSBX_STEP_SPAWNER, EINVAL, -1};
    if (csbx_unpack_spec(message, size, &spec) != 0 || fd_count < CSBX_FD_FIXED + tasks_count) return;
    size_t optional = fd_count - CSBX_FD_FIXED - tasks_count;
    if ((spec.cgroup_fd >= 0) + (spec.net_ns_fd >= 0) != (int)optional) return;
    // Indexes into the attached descriptors become the descriptors themselves.
    spec.stdin_fd = fds[CSBX_FD_STDIN];
    spec.stdout_fd = fds[CSBX_FD_STDOUT];
    spec.stderr_fd = fds[CSBX_FD_STDERR];
    size_t next = CSBX_FD_FIXED;
    if (spec.cgroup_fd >= 0) spec.cgroup_fd = fds[next++];
    if (spec.net_ns_fd >= 0) spec.net_ns_fd = fds[next++];
    const int *tasks = fds + next;

    int template_fd = csbx_template(spec.template_id);
    if (spec.template_id >= 0 && (template_fd < 0 || csbx_home_mnt < 0)) {
        reply->error = (csbx_setup_error){CSBX_STEP_MOUNT_TEMPLATE, ENOENT, -1};
        return;
    }
    pid_t pid = 0;
    if (csbx_clone_init(&spec, fds[CSBX_FD_SYNC_CHILD], fds[CSBX_FD_ERROR], fds[CSBX_FD_STATUS], tasks, tasks_count,
                        template_fd, csbx_home_mnt, &pid, pidfd, &reply->error) != 0) {
        return;
    }
    reply->pid = pid;
    reply->result = CSBX_REPLY_CHILD_FAILED;
    // The maps: the child, in its cgroups already (it moves itself first), needs them to build its root. It
    // starts nothing before crucible's 'c', which comes after this reply.
    char path[64], line[64];
    const char *files[2] = {"uid_map", "gid_map"};
    uint32_t inside[2] = {spec.inside_uid, spec.inside_gid};
    uint32_t host[2] = {spec.host_uid, spec.host_gid};
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, files[i]);
        snprintf(line, sizeof line, "%u %u 1\n", inside[i], host[i]);
        if (csbx_write_file(path, line) != 0) {
            reply->error = (csbx_setup_error){CSBX_STEP_ID_MAPS, errno, i};
            return;
        }
    }
    if (csbx_send_go_ahead(fds[CSBX_FD_SYNC_PARENT], 'g') != 0) {
        reply->error = (csbx_setup_error){CSBX_STEP_WAIT_PARENT, errno, -1};
        return;
    }
    reply->result = CSBX_REPLY_OK;
    reply->error = (csbx_setup_error){0, 0, -1};
}

/// Builds a template for the spec in `message` and files it under a free id.
static void csbx_serve_template(char *message, size_t size, csbx_reply *reply) {
    csbx_spawn_spec spec;
    reply->result = CSBX_REPLY_NO_CHILD;
    reply->error = (csbx_setup_error){CSBX_STEP_SPAWNER, EINVAL, -1};
    if (csbx_unpack_spec(message, size, &spec) != 0) return;
    int id = 0;
    while (id < CSBX_MAX_TEMPLATES && csbx_templates[id] >= 0) id++;
    if (id == CSBX_MAX_TEMPLATES || csbx_home_mnt < 0) {
        reply->error = (csbx_setup_error){CSBX_STEP_MOUNT_TEMPLATE, csbx_home_mnt < 0 ? EBADF : ENOSPC, -1};
        return;
    }
    int fd = -1;
    if (csbx_build_template(&spec, &fd, &reply->error) != 0) return;
    csbx_templates[id] = fd;
    reply->result = CSBX_REPLY_OK;
    reply->pid = id;
    reply->error = (csbx_setup_error){0, 0, -1};
}

/// The spawner's whole life: answer requests until crucible closes the socket.
static void csbx_spawner_serve(int socket_fd) __attribute__((noreturn));
static void csbx_spawner_serve(int socket_fd) {
    // Nothing of crucible's but the socket: no stray descriptor may reach an init.
    syscall(SYS_close_range, socket_fd + 1, ~0U, 0);
    // Nor its signal state, which every init and workload would inherit: crucible's threads block most
    // signals and its libraries ignore SIGPIPE, and a program must start with the defaults (a test's
    // SIGALRM must arrive). SIGCHLD's default also keeps each init a zombie, its pid reserved, until crucible
    // asks to reap it. (Sends use MSG_NOSIGNAL; its own session keeps a terminal's ^C away.)
    // The raw call: glibc's refuses the two real-time signals it keeps for itself, which may be ignored too.
    struct {
        void *handler;
        unsigned long flags;
        void *restorer;
        uint64_t mask;
    } default_action = {SIG_DFL, 0, NULL, 0};
    for (long signal_number = 1; signal_number < _NSIG; signal_number++) {
        syscall(SYS_rt_sigaction, signal_number, &default_action, NULL, sizeof default_action.mask);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    // Started through a descriptor (/proc/self/fd/N) or as /proc/self/exe, it would be named "N" or "exe" in
    // ps and top, and so would every init (its copy); the name tells an operator what it is.
    prctl(PR_SET_NAME, CSBX_SPAWNER_NAME, 0, 0, 0);
    for (int i = 0; i < CSBX_MAX_TEMPLATES; i++) csbx_templates[i] = -1;
    csbx_home_mnt = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);  // without it, no templates
    uint32_t hello[2] = {CSBX_PROTOCOL_MAGIC, CSBX_PROTOCOL_VERSION};
    if (csbx_send_message(socket_fd, hello, sizeof hello, NULL, 0, NULL, 0) < 0) _exit(1);
    static char message[CSBX_MAX_MESSAGE];
    for (;;) {
        int fds[CSBX_MAX_FDS];
        size_t fd_count = 0;
        ssize_t got = csbx_receive_message(socket_fd, message, sizeof message, fds, &fd_count);
        if (got == 0) _exit(0);  // crucible is gone; every init dies with us (PR_SET_PDEATHSIG)
        if (got < 0 && errno != EMSGSIZE) _exit(1);
        csbx_request request = {0};
        if (got >= (ssize_t)sizeof request) memcpy(&request, message, sizeof request);
        csbx_reply reply = {CSBX_REPLY_NO_CHILD, 0, {CSBX_STEP_SPAWNER, EMSGSIZE, -1}};
        int pidfd = -1;
        if (request.kind == CSBX_REQUEST_SPAWN && (size_t)got == sizeof request + request.spec_size) {
            csbx_serve_spawn(message + sizeof request, request.spec_size, fds, fd_count, request.tasks_count,
                             &reply, &pidfd);
        } else if (request.kind == CSBX_REQUEST_TEMPLATE && (size_t)got == sizeof request + request.spec_size) {
            csbx_serve_template(message + sizeof request, request.spec_size, &reply);
        } else if (request.kind == CSBX_REQUEST_DROP_TEMPLATE) {
            int fd = csbx_template(request.pid);
            if (fd >= 0) {
                close(fd);
                csbx_templates[request.pid] = -1;
            }
            reply.result = fd >= 0 ? 0 : -ENOENT;
        } else if (request.kind == CSBX_REQUEST_REAP) {
            int status = 0;
            pid_t reaped;
            do {
                reaped = waitpid(request.pid, &status, 0);
            } while (reaped < 0 && errno == EINTR);
            reply.result = reaped == request.pid ? 0 : -errno;
        }
        for (size_t i = 0; i < fd_count; i++) close(fds[i]);
        csbx_send_message(socket_fd, &reply, sizeof reply, NULL, 0, &pidfd, pidfd >= 0 ? 1 : 0);
        if (pidfd >= 0) close(pidfd);
    }
}

void csbx_spawner_main(int argc, char **argv, char **envp) {
    if (argc != 1 || argv == NULL || argv[0] == NULL || strcmp(argv[0], CSBX_SPAWNER_NAME) != 0) return;
    for (char **entry = envp; entry != NULL && *entry != NULL; entry++) {
        if (strcmp(*entry, CSBX_SPAWNER_ENV) == 0) csbx_spawner_serve(CSBX_SPAWNER_FD);
    }
}

// Runs before main in every process of this program: crucible exec'd as its own spawner (when no
// `crucible-spawner` is installed beside it) stays here for good.
__attribute__((constructor)) static void csbx_spawner_entry(int argc, char **argv, char **envp) {
    csbx_spawner_main(argc, argv, envp);
}

// ---- crucible's side ----

pid_t csbx_spawner_start(const char *executable, int32_t *socket_fd) {
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) return -1;
    // Above the spawner's 3, so that dup2 to 3 always makes a fresh descriptor (without close-on-exec).
    int high = fcntl(pair[1], F_DUPFD_CLOEXEC, 10);
    close(pair[1]);
    if (high < 0) {
        close(pair[0]);
        return -1;
    }
    pair[1] = high;
    // Room for a whole request in flight (root may exceed the default buffer sizes).
    int buffer = CSBX_MAX_MESSAGE + 65536;
    setsockopt(pair[0], SOL_SOCKET, SO_SNDBUFFORCE, &buffer, sizeof buffer);
    setsockopt(pair[1], SOL_SOCKET, SO_RCVBUFFORCE, &buffer, sizeof buffer);
    struct timeval timeout = {CSBX_REPLY_TIMEOUT_S, 0};
    setsockopt(pair[0], SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pair[1], CSBX_SPAWNER_FD);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSID);
    char *const argv[] = {(char *)CSBX_SPAWNER_NAME, NULL};
    char *const envp[] = {(char *)CSBX_SPAWNER_ENV, NULL};
    pid_t pid = -1;
    int failed = posix_spawn(&pid, executable, &actions, &attributes, argv, envp);
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
    close(pair[1]);
    if (failed != 0) {
        close(pair[0]);
        errno = failed;
        return -1;
    }
    // Its first words: this build's protocol, or it is not our spawner.
    uint32_t hello[2] = {0, 0};
    struct pollfd ready = {pair[0], POLLIN, 0};
    int polled;
    do {
        polled = poll(&ready, 1, CSBX_HELLO_TIMEOUT_MS);
    } while (polled < 0 && errno == EINTR);
    ssize_t got = polled == 1 ? recv(pair[0], hello, sizeof hello, 0) : -1;
    if (got != (ssize_t)sizeof hello || hello[0] != CSBX_PROTOCOL_MAGIC || hello[1] != CSBX_PROTOCOL_VERSION) {
        kill(pid, SIGKILL);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
        }
        close(pair[0]);
        errno = EPROTO;
        return -1;
    }
    *socket_fd = pair[0];
    return pid;
}

/// Sends a request and waits for its reply; a missing reply is the spawner's failure.
static int csbx_exchange(int spawner_fd, const csbx_request *request, const void *body, const int *fds,
                         size_t fd_count, csbx_reply *reply, int *pidfd) {
    if (csbx_send_message(spawner_fd, request, sizeof *request, body, request->spec_size, fds, fd_count) < 0) {
        return -1;
    }
    int received[CSBX_MAX_FDS];
    size_t received_count = 0;
    ssize_t got = csbx_receive_message(spawner_fd, reply, sizeof *reply, received, &received_count);
    if (got != (ssize_t)sizeof *reply) {
        for (size_t i = 0; i < received_count; i++) close(received[i]);
        if (got >= 0) errno = got == 0 ? ECONNRESET : EPROTO;
        return -1;
    }
    *pidfd = received_count > 0 ? received[0] : -1;
    for (size_t i = 1; i < received_count; i++) close(received[i]);
    return 0;
}

int csbx_spawn(int32_t spawner_fd, const csbx_spawn_spec *spec, const int32_t *tasks_fds, size_t tasks_count,
               csbx_child *child, csbx_setup_error *error) {
    *error = (csbx_setup_error){CSBX_STEP_PIPES, 0, -1};
    child->pid = 0;
    child->pidfd = child->sync_fd = child->error_fd = child->status_fd = -1;
    if (tasks_count + CSBX_FD_FIXED + 2 > CSBX_MAX_FDS) {
        error->error = EINVAL;
        return -1;
    }
    int sync_pair[2], error_pipe[2], status_pipe[2];
    // A socket, not a pipe, so a go-ahead sent to a child that already died fails with EPIPE (MSG_NOSIGNAL)
    // instead of raising SIGPIPE in the whole process.
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sync_pair) != 0) {
        error->error = errno;
        return -1;
    }
    if (pipe2(error_pipe, O_CLOEXEC) != 0) {
        error->error = errno;
        close(sync_pair[0]);
        close(sync_pair[1]);
        return -1;
    }
    if (pipe2(status_pipe, O_CLOEXEC) != 0) {
        error->error = errno;
        close(sync_pair[0]);
        close(sync_pair[1]);
        close(error_pipe[0]);
        close(error_pipe[1]);
        return -1;
    }
    int fds[CSBX_MAX_FDS] = {spec->stdin_fd, spec->stdout_fd, spec->stderr_fd, sync_pair[0], sync_pair[1],
                             error_pipe[1], status_pipe[1]};
    size_t fd_count = CSBX_FD_FIXED;
    int32_t cgroup_index = -1, net_index = -1;
    if (spec->cgroup_fd >= 0) {
        cgroup_index = (int32_t)fd_count;
        fds[fd_count++] = spec->cgroup_fd;
    }
    if (spec->net_ns_fd >= 0) {
        net_index = (int32_t)fd_count;
        fds[fd_count++] = spec->net_ns_fd;
    }
    for (size_t i = 0; i < tasks_count; i++) fds[fd_count++] = tasks_fds[i];

    csbx_reply reply = {CSBX_REPLY_NO_CHILD, 0, {0, 0, -1}};
    int pidfd = -1;
    size_t size = 0;
    char *body = csbx_packed_spec(spec, cgroup_index, net_index, &size);
    if (body == NULL) {
        // Too large for a message is what execve would say of it too.
        reply.error = (csbx_setup_error){errno == E2BIG ? CSBX_STEP_EXEC : CSBX_STEP_PIPES, errno, -1};
    } else {
        csbx_request request = {CSBX_REQUEST_SPAWN, 0, (uint32_t)tasks_count, (uint32_t)size};
        if (csbx_exchange(spawner_fd, &request, body, fds, fd_count, &reply, &pidfd) != 0) {
            reply.result = CSBX_REPLY_NO_CHILD;
            reply.error = (csbx_setup_error){CSBX_STEP_SPAWNER, errno, -1};
        }
        free(body);
    }
    // The child's ends now live in the child (and nowhere else once the spawner closed its copies).
    close(sync_pair[0]);
    close(error_pipe[1]);
    close(status_pipe[1]);
    if (reply.result == CSBX_REPLY_NO_CHILD || (reply.result != CSBX_REPLY_OK && pidfd < 0)) {
        close(sync_pair[1]);
        close(error_pipe[0]);
        close(status_pipe[0]);
        if (pidfd >= 0) close(pidfd);
        *error = reply.error;
        return -1;
    }
    child->pid = reply.pid;
    child->pidfd = pidfd;
    child->sync_fd = sync_pair[1];
    child->error_fd = error_pipe[0];
    child->status_fd = status_pipe[0];
    if (reply.result != CSBX_REPLY_OK) {
        *error = reply.error;
        return 1;
    }
    return 0;
}

int csbx_spawner_template(int32_t spawner_fd, const csbx_spawn_spec *spec, int32_t *template_id,
                          csbx_setup_error *error) {
    size_t size = 0;
    char *body = csbx_packed_spec(spec, -1, -1, &size);
    if (body == NULL) {
        *error = (csbx_setup_error){CSBX_STEP_MOUNT_TEMPLATE, errno, -1};
        return -1;
    }
    csbx_request request = {CSBX_REQUEST_TEMPLATE, 0, 0, (uint32_t)size};
    csbx_reply reply;
    int pidfd = -1;
    int exchanged = csbx_exchange(spawner_fd, &request, body, NULL, 0, &reply, &pidfd);
    int saved = errno;
    free(body);
    if (pidfd >= 0) close(pidfd);
    if (exchanged != 0) {
        *error = (csbx_setup_error){CSBX_STEP_SPAWNER, saved, -1};
        return -1;
    }
    if (reply.result != CSBX_REPLY_OK) {
        *error = reply.error;
        return -1;
    }
    *template_id = reply.pid;
    return 0;
}

/// A request of a kind that carries only a number and is answered with 0 or -errno: 0; 1 with errno when the
/// spawner answered that it could not; -1 with errno when it did not answer.
static int csbx_simple_request(int32_t spawner_fd, uint32_t kind, int32_t number) {
    csbx_request request = {kind, number, 0, 0};
    csbx_reply reply;
    int pidfd = -1;
    if (csbx_exchange(spawner_fd, &request, NULL, NULL, 0, &reply, &pidfd) != 0) return -1;
    if (pidfd >= 0) close(pidfd);
    if (reply.result != 0) {
        errno = -reply.result;
        return 1;
    }
    return 0;
}

int csbx_spawner_drop_template(int32_t spawner_fd, int32_t template_id) {
    return csbx_simple_request(spawner_fd, CSBX_REQUEST_DROP_TEMPLATE, template_id) == 0 ? 0 : -1;
}

int csbx_spawner_reap(int32_t spawner_fd, pid_t pid) {
    return csbx_simple_request(spawner_fd, CSBX_REQUEST_REAP, pid);
}
