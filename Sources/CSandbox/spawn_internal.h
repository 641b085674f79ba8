// Shared between spawn.c (the child's side) and spawner.c (the process that clones it); not part of the API.
#ifndef CSANDBOX_SPAWN_INTERNAL_H
#define CSANDBOX_SPAWN_INTERNAL_H

#include "csandbox.h"

/// How long a template's builder may take to mount the shared root (milliseconds; it takes a few). Half the
/// spawner's reply timeout: a builder that hangs fails its template, and the sandbox builds its own root, instead
/// of the spawner going silent long enough to be taken for dead and restarted.
#define CSBX_TEMPLATE_TIMEOUT_MS 5000

/// Clones the sandbox's init for `spec` with the child's ends of its three channels and the `tasks` files
/// of its v1 cgroups (at most 10), which it moves itself in through. Returns 0 with the pid and a pidfd, or
/// -1 with `error` filled (step clone).
/// With `template_fd` (a mount namespace made by csbx_build_template), the child is cloned in a copy of it and
/// mounts only what is its own; `home_mnt_fd` is the caller's own mount namespace, re-entered after the clone.
int csbx_clone_init(
    const csbx_spawn_spec *spec, int sync_fd, int error_fd, int status_fd, const int *task_fds, size_t task_count,
    int template_fd, int home_mnt_fd, pid_t *pid, int *pidfd, csbx_setup_error *error);

/// Builds a mount template for `spec` in a child of its own (new mount and pid namespaces, the caller's
/// privileges) and returns a descriptor of its mount namespace in `template_fd`: 0, or -1 with `error`.
int csbx_build_template(const csbx_spawn_spec *spec, int *template_fd, csbx_setup_error *error);

/// Sends one go-ahead byte on a sync socket (MSG_NOSIGNAL). 0, or -1 with errno.
int csbx_send_go_ahead(int sync_fd, char byte);

#endif
