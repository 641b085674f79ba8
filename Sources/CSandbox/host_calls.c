// System calls the supervisor needs that Swift's Glibc module does not export (they are
// _GNU_SOURCE-only in glibc's headers).
#include "csandbox.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>

#ifndef SYS_renameat2
#define SYS_renameat2 316
#endif

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

struct csbx_open_how {
    uint64_t flags;
    uint64_t mode;
    uint64_t resolve;
};

int csbx_memfd(const char *name) {
    return memfd_create(name, MFD_CLOEXEC);
}

int csbx_pipe_cloexec(int32_t fds[2]) {
    int raw[2];
    if (pipe2(raw, O_CLOEXEC) != 0) return -1;
    fds[0] = raw[0];
    fds[1] = raw[1];
    return 0;
}

int csbx_set_pipe_size(int32_t fd, int32_t size) {
    return fcntl(fd, F_SETPIPE_SZ, size);
}

int csbx_open_beneath(int32_t dirfd, const char *path, int32_t flags, uint32_t mode) {
    struct csbx_open_how how;
    memset(&how, 0, sizeof how);
    how.flags = (uint64_t)(uint32_t)(flags | O_CLOEXEC | O_NOFOLLOW);
    how.mode = (flags & O_CREAT) ? mode : 0;
    how.resolve = 0x08 /* RESOLVE_BENEATH */ | 0x04 /* RESOLVE_NO_SYMLINKS */ | 0x02 /* RESOLVE_NO_MAGICLINKS */;
    return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

int csbx_open_in_root(int32_t rootfd, const char *path, int32_t flags) {
    struct csbx_open_how how;
    memset(&how, 0, sizeof how);
    how.flags = (uint64_t)(uint32_t)(flags | O_CLOEXEC);
    how.resolve = 0x10 /* RESOLVE_IN_ROOT */ | 0x02 /* RESOLVE_NO_MAGICLINKS */;
    return (int)syscall(SYS_openat2, rootfd, path, &how, sizeof how);
}

int csbx_rename_exchange(const char *from, const char *to) {
    return (int)syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to, 2 /* RENAME_EXCHANGE */);
}
