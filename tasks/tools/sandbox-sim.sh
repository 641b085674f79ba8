#!/usr/bin/env bash
# A stand-in for Crucible's sandbox, used only by tasks/tools/crucible_check.py to
# verify toolchains before the Swift sandbox exists. Run as root. It gives a step what
# the real sandbox will: new mount/net/pid/ipc/uts namespaces (network: lo only, down),
# the host's /usr read-only (+ /bin /lib /lib64 /sbin as merged-usr symlinks), a minimal
# /etc (passwd, group, hosts, ld.so.cache, alternatives) plus extra read-only binds,
# writable /work (also the working directory), tmpfs /tmp, fresh /proc (unless
# --no-proc), minimal /dev (null zero full random urandom, fd links; /dev/shm only with
# --shm), no /root /home /opt /sys /var, uid/gid 65534, no capabilities, no_new_privs,
# a clean environment (only --env values), cgroup v1 memory + pids limits, RLIMIT_CPU,
# RLIMIT_FSIZE and a wall-clock kill. Not a security boundary (no seccomp, chroot not
# pivot_root): a harness.
# usage: sandbox-sim.sh --work DIR [--ro PATH]... [--env K=V]... [--stdin FILE] [--wall S]
#          [--mem MIB] [--pids N] [--cpu S] [--tmp MIB] [--fsize MIB] [--shm] [--no-proc] -- CMD ARGS...
# Prints one "SBX: ..." usage line on stderr last; exits with the command's status
# (137 when killed; "SBX: wall time limit" precedes a wall-clock kill).
set -euo pipefail
WORK= ; ROS=() ; ENVS=() ; STDIN=/dev/null ; WALL=60 ; MEM=1024 ; PIDS=256 ; CPU=120 ; TMPMIB=512; SHM=0; FSIZE=64; PROC=1
while [ $# -gt 0 ]; do case "$1" in
  --work) WORK=$(realpath "$2"); shift 2;; --ro) ROS+=("$2"); shift 2;; --env) ENVS+=("$2"); shift 2;;
  --stdin) STDIN=$(realpath "$2"); shift 2;; --wall) WALL=$2; shift 2;; --mem) MEM=$2; shift 2;;
  --pids) PIDS=$2; shift 2;; --cpu) CPU=$2; shift 2;; --tmp) TMPMIB=$2; shift 2;; --shm) SHM=1; shift;;
  --fsize) FSIZE=$2; shift 2;; --no-proc) PROC=0; shift;;
  --) shift; break;; *) echo "bad arg $1" >&2; exit 2;; esac; done
ROOT=$(mktemp -d /tmp/sbxroot.XXXXXX); chmod 755 "$ROOT"
CG=sbx-$$-$RANDOM
for c in memory pids cpuacct; do mkdir -p /sys/fs/cgroup/$c/$CG; done
echo $((MEM*1024*1024)) > /sys/fs/cgroup/memory/$CG/memory.limit_in_bytes
echo $((MEM*1024*1024)) > /sys/fs/cgroup/memory/$CG/memory.memsw.limit_in_bytes 2>/dev/null || true
echo $PIDS > /sys/fs/cgroup/pids/$CG/pids.max
chown -R 65534:65534 "$WORK"
START=$(date +%s.%N)
set +e
(
  for c in memory pids cpuacct; do echo $BASHPID > /sys/fs/cgroup/$c/$CG/cgroup.procs; done
  exec unshare --mount --net --pid --fork --ipc --uts --kill-child bash -c '
    set -e; R="$1"; W="$2"; TMPMIB="$3"; SHM="$4"; CPU="$5"; FSIZE="$6"; PROC="$7"; shift 7
    mount --make-rprivate /
    mkdir -p $R/usr $R/etc $R/work $R/tmp $R/proc $R/dev
    ln -s usr/bin $R/bin; ln -s usr/lib $R/lib; ln -s usr/lib64 $R/lib64; ln -s usr/sbin $R/sbin
    mount --bind /usr $R/usr; mount -o remount,bind,ro $R/usr
    mount -t tmpfs -o size=1m,mode=755 tmpfs $R/etc
    for f in passwd group hosts ld.so.cache; do cp /etc/$f $R/etc/$f; done
    mkdir $R/etc/alternatives; mount --bind /etc/alternatives $R/etc/alternatives; mount -o remount,bind,ro $R/etc/alternatives
    while [ "$1" != "--" ]; do
      p="$1"; shift
      if [ -d "$p" ]; then mkdir -p "$R$p"; else mkdir -p "$(dirname "$R$p")"; touch "$R$p"; fi
      mount --bind "$p" "$R$p"; mount -o remount,bind,ro "$R$p"
    done; shift
    mount -o remount,ro $R/etc 2>/dev/null || mount -o remount,ro,bind $R/etc
    mount --bind "$W" $R/work
    mount -t tmpfs -o size=${TMPMIB}m,mode=1777 tmpfs $R/tmp
    if [ "$PROC" = 1 ]; then mount -t proc proc $R/proc; fi
    mount -t tmpfs -o size=64k,mode=755 tmpfs $R/dev
    for d in null zero full random urandom; do touch $R/dev/$d; mount --bind /dev/$d $R/dev/$d; done
    ln -s /proc/self/fd $R/dev/fd; ln -s /proc/self/fd/0 $R/dev/stdin; ln -s /proc/self/fd/1 $R/dev/stdout; ln -s /proc/self/fd/2 $R/dev/stderr
    if [ "$SHM" = 1 ]; then mkdir $R/dev/shm; mount -t tmpfs -o size=64m,mode=1777 tmpfs $R/dev/shm; fi
    ulimit -S -t "$CPU"; ulimit -H -t $((CPU+1)); ulimit -f $((FSIZE*1024)) ; ulimit -c 0
    # Not exec: this shell stays pid 1 of the namespace (a tiny init), the workload is its
    # child, and its exit status (128+N for signal N) becomes ours.
    chroot $R /usr/bin/setpriv --reuid=65534 --regid=65534 --clear-groups --no-new-privs --inh-caps=-all --bounding-set=-all sh -c "cd /work && exec \"\$@\"" sh "$@"
    exit $?
  ' sbx "$ROOT" "$WORK" "$TMPMIB" "$SHM" "$CPU" "$FSIZE" "$PROC" "${ROS[@]}" -- env -i "${ENVS[@]}" "$@" < "$STDIN"
) &
P=$!
# The watchdog must not hold our stdout/stderr open (a caller reading them to EOF would wait).
( exec >/dev/null 2>&1; sleep "$WALL" & SP=$!; trap 'kill $SP; exit 0' TERM; wait $SP
  if kill -0 $P 2>/dev/null; then touch "$ROOT.walled"; for p in $(cat /sys/fs/cgroup/pids/$CG/cgroup.procs); do kill -9 $p 2>/dev/null; done; fi ) &
W=$!
wait $P; RC=$?
kill $W 2>/dev/null; wait $W 2>/dev/null
if [ -e "$ROOT.walled" ]; then echo "SBX: wall time limit" >&2; rm -f "$ROOT.walled"; fi
END=$(date +%s.%N)
for p in $(cat /sys/fs/cgroup/pids/$CG/cgroup.procs 2>/dev/null); do kill -9 $p 2>/dev/null; done
sleep 0.05
PEAK=$(cat /sys/fs/cgroup/memory/$CG/memory.max_usage_in_bytes)
FAILCNT=$(cat /sys/fs/cgroup/memory/$CG/memory.failcnt)
OOMKILLS=$(awk '/^oom_kill /{print $2}' /sys/fs/cgroup/memory/$CG/memory.oom_control 2>/dev/null)
CPUNS=$(cat /sys/fs/cgroup/cpuacct/$CG/cpuacct.usage)
PIDFAIL=$(cat /sys/fs/cgroup/pids/$CG/pids.events 2>/dev/null | awk '{print $2}')
for c in memory pids cpuacct; do rmdir /sys/fs/cgroup/$c/$CG 2>/dev/null || true; done
umount -R "$ROOT" 2>/dev/null || true; rm -rf "$ROOT" 2>/dev/null || true
printf 'SBX: exit=%s wall=%.2fs cpu=%.2fs peak_mem=%dMiB mem_failcnt=%s oom_kill=%s pids_max_hits=%s\n' "$RC" "$(echo "$END - $START" | bc)" "$(echo "$CPUNS/1000000000" | bc -l)" $((PEAK/1048576)) "$FAILCNT" "${OOMKILLS:-0}" "${PIDFAIL:-?}" >&2
exit $RC
