// The kernel's floor for a sandbox with Crucible's namespaces: clone3 into new user, mount, pid, network, ipc,
// uts and cgroup namespaces, execve the program, wait for it. Nothing else: no uid map, no cgroup, no root of
// its own, no privilege drop, no seccomp, and a driver in C. No sandbox with these namespaces starts faster here.
//
//   clone_floor COUNT PARALLEL PROGRAM [ARG...]
//
// Prints {"p50_ms", "p95_ms", "per_second", "failures"}, as `crucible sandbox bench --json` does.
#define _GNU_SOURCE
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

// One worker: `count` sandboxes back to back; each latency (ms, negative for a failure) written to `out`.
static void worker(int count, char **argv, int out) {
    static char *const empty_environment[] = {NULL};
    for (int i = 0; i < count; i++) {
        double start = now_ms();
        struct clone_args args = {
            .flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS |
                     CLONE_NEWCGROUP,
            .exit_signal = SIGCHLD,
        };
        long pid = syscall(SYS_clone3, &args, sizeof args);
        if (pid == 0) {
            execve(argv[0], argv, empty_environment);
            _exit(127);
        }
        int status = 0;
        int ok = pid > 0 && waitpid((pid_t)pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
        double took = now_ms() - start;
        double value = ok ? took : -took;
        if (write(out, &value, sizeof value) != sizeof value) _exit(1);
    }
    _exit(0);
}

int main(int argc, char **argv) {
    if (argc < 4 || atoi(argv[1]) <= 0 || atoi(argv[2]) <= 0) {
        fprintf(stderr, "usage: clone_floor COUNT PARALLEL PROGRAM [ARG...]\n");
        return 2;
    }
    int count = atoi(argv[1]), parallel = atoi(argv[2]);
    int results[2];
    if (pipe(results) != 0) return perror("pipe"), 1;
    double start = now_ms();
    for (int w = 0; w < parallel; w++) {
        int share = count / parallel + (w < count % parallel);
        pid_t pid = fork();
        if (pid < 0) return perror("fork"), 1;
        if (pid == 0) {
            close(results[0]);
            worker(share, argv + 3, results[1]);
        }
    }
    close(results[1]);
    double *latencies = calloc((size_t)count, sizeof *latencies);
    if (latencies == NULL) return perror("calloc"), 1;
    int got = 0, failures = 0;
    double value;
    while (got < count && read(results[0], &value, sizeof value) == sizeof value) {
        if (value < 0) failures++;
        latencies[got++] = value < 0 ? -value : value;
    }
    while (wait(NULL) > 0) {}
    double elapsed = now_ms() - start;
    if (got == 0) return fprintf(stderr, "clone_floor: no sandbox ran\n"), 1;
    qsort(latencies, (size_t)got, sizeof *latencies, by_value);
    printf("{\"p50_ms\": %.4f, \"p95_ms\": %.4f, \"per_second\": %.2f, \"failures\": %d}\n", latencies[got / 2],
           latencies[(got * 95) / 100 < got ? (got * 95) / 100 : got - 1], got / elapsed * 1e3,
           failures + (count - got));
    return 0;
}
