// Instructions the hostile probes need and Swift cannot express. They run only inside a sandbox,
// where the seccomp filter must refuse them; on the host they would simply call getpid.
#include "csandbox.h"

#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

long csbx_probe_int80_getpid(void) {
#if defined(__x86_64__)
    long result;
    // 20 is getpid in the i386 table. A 64-bit process may still enter through the 32-bit gate.
    __asm__ volatile("int $0x80" : "=a"(result) : "0"(20L) : "memory", "rcx", "r11");
    return result;
#else
    return -1;
#endif
}

long csbx_probe_x32_getpid(void) {
#if defined(__x86_64__)
    // x32 numbers are the x86-64 ones with bit 30 set.
    long result = syscall(SYS_getpid | 0x40000000L);
    return result < 0 ? -errno : result;
#else
    return -1;
#endif
}

long csbx_probe_syscall(long number, long a0, long a1, long a2, long a3, long a4, long a5) {
    long result = syscall(number, a0, a1, a2, a3, a4, a5);
    return result < 0 ? -errno : result;
}
