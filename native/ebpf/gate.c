/*
 * oslens-gate: the start of an eBPF tool's `-- CMD`, held until the probes are attached.
 *
 *   oslens-gate PATH ARGV0 [ARGS...]      (fd 3: a socket or pipe from oslens)
 *
 * Waits for one byte on fd 3, then execs PATH with ARGV0 ARGS... as given (argv[0] unchanged).
 * It is never left stopped: if oslens dies first, the read sees end-of-file and the gate exits
 * without running anything; the parent-death signal (kept across exec) ends the command with
 * oslens, as `trace` ends its tracees. Between the read and the exec there is no other syscall,
 * so a trace starts at the command's execve. Exit 127 (126 when not executable) when the
 * command cannot be started, as a shell does.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: oslens-gate PATH ARGV0 [ARGS...] (fd 3 from oslens)\n");
        return 2;
    }
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) return 1;
    /* The go byte comes from oslens; the exec'd command must not inherit the socket. */
    if (fcntl(3, F_SETFD, FD_CLOEXEC) != 0) return 1;
    char go;
    ssize_t n;
    do n = read(3, &go, 1);
    while (n < 0 && errno == EINTR);
    if (n != 1) return 1; /* oslens went away or gave up: run nothing */
    execv(argv[1], argv + 2);
    int e = errno;
    dprintf(2, "oslens: %s: %s\n", argv[2], strerror(e));
    return e == ENOENT || e == ENOTDIR ? 127 : 126;
}
