// System calls the supervisor needs that Swift's Glibc module does not export (they are
// _GNU_SOURCE-only in glibc's headers).
#include "csandbox.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

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
