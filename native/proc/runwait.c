/*
 * oslens-runwait: runs a command and reports its real resource usage, like /usr/bin/time.
 *
 *   oslens-runwait REPORT_FD CMD [ARGS...]
 *
 * fork + execvp the command (stdin/stdout/stderr pass through untouched), wait for it with wait4()
 * so the rusage is exactly the child's, then write one JSON line to REPORT_FD. Node cannot do this
 * itself: child_process gives no rusage of one child, and reading /proc before reaping is racy.
 * While the command runs, SIGINT and SIGQUIT are ignored here (the terminal sends them to the
 * command too), so the report is still written when the user interrupts the command.
 *
 *   oslens-runwait --exec CMD [ARGS...]
 *
 * only execs the command, set to die with its parent (`oslens watch -- CMD` uses it this way).
 * In both forms the helper and the command are killed when their parent dies, even by SIGKILL
 * (PR_SET_PDEATHSIG): no command is left running after oslens.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double seconds(struct timeval tv) { return (double)tv.tv_sec + (double)tv.tv_usec / 1e6; }

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * SIGKILL this process when its parent (the thread that forked it) exits. If the parent is
 * already gone (reparented between fork and here), exit at once: the signal would never come.
 */
static void die_with_parent(pid_t parent) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(137);
}

int main(int argc, char **argv) {
    die_with_parent(getppid());
    if (argc >= 3 && strcmp(argv[1], "--exec") == 0) {
        execvp(argv[2], argv + 2);
        fprintf(stderr, "oslens: cannot run %s: %s\n", argv[2], errno == ENOENT ? "command not found" : strerror(errno));
        return errno == ENOENT ? 127 : 126;
    }
    if (argc < 3) {
        fprintf(stderr, "usage: oslens-runwait REPORT_FD CMD [ARGS...]\n");
        return 2;
    }
    int report_fd = atoi(argv[1]);
    if (report_fd < 3 || fcntl(report_fd, F_GETFD) < 0) {
        fprintf(stderr, "oslens-runwait: report fd %s is not open\n", argv[1]);
        return 2;
    }
    /* Neither the command nor its children inherit the report fd. */
    fcntl(report_fd, F_SETFD, FD_CLOEXEC);

    /* exec errors come back through a close-on-exec pipe: EOF means exec succeeded. */
    int errpipe[2];
    if (pipe2(errpipe, O_CLOEXEC) < 0) {
        perror("oslens-runwait: pipe");
        return 1;
    }
    struct sigaction ign = {0}, old_int, old_quit;
    ign.sa_handler = SIG_IGN;
    sigaction(SIGINT, &ign, &old_int);
    sigaction(SIGQUIT, &ign, &old_quit);

    double t0 = now();
    pid_t self = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        perror("oslens-runwait: fork");
        return 1;
    }
    if (pid == 0) {
        die_with_parent(self);
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGQUIT, &old_quit, NULL);
        close(errpipe[0]);
        execvp(argv[2], argv + 2);
        int e = errno;
        ssize_t w = write(errpipe[1], &e, sizeof e);
        (void)w;
        _exit(127);
    }
    close(errpipe[1]);
    int exec_errno = 0;
    ssize_t got;
    do {
        got = read(errpipe[0], &exec_errno, sizeof exec_errno);
    } while (got < 0 && errno == EINTR);
    if (got != (ssize_t)sizeof exec_errno) exec_errno = 0;
    close(errpipe[0]);

    int status = 0;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    pid_t r;
    do {
        r = wait4(pid, &status, 0, &ru);
    } while (r < 0 && errno == EINTR);
    double wall = now() - t0;
    if (r < 0) {
        perror("oslens-runwait: wait4");
        return 1;
    }

    int exited = WIFEXITED(status);
    int code = exited ? WEXITSTATUS(status) : -1;
    int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    int core = WIFSIGNALED(status) ? WCOREDUMP(status) != 0 : 0;
    dprintf(report_fd,
            "{\"pid\":%d,\"exited\":%s,\"exitCode\":%d,\"signal\":%d,\"coreDumped\":%s,\"execErrno\":%d,"
            "\"execError\":\"%s\",\"wall\":%.9f,\"user\":%.6f,\"sys\":%.6f,\"maxRssKb\":%ld,\"minflt\":%ld,"
            "\"majflt\":%ld,\"nvcsw\":%ld,\"nivcsw\":%ld,\"inblock\":%ld,\"oublock\":%ld,\"nswap\":%ld}\n",
            (int)pid, exited ? "true" : "false", code, sig, core ? "true" : "false", exec_errno,
            exec_errno ? strerror(exec_errno) : "", wall, seconds(ru.ru_utime), seconds(ru.ru_stime),
            ru.ru_maxrss, ru.ru_minflt, ru.ru_majflt, ru.ru_nvcsw, ru.ru_nivcsw, ru.ru_inblock, ru.ru_oublock,
            ru.ru_nswap);
    close(report_fd);
    return 0;
}
