/**
 * The descriptor decoders against strace, whole line by whole line: fcntl (every command, its
 * decoded returns), ioctl (request names, terminal structs on a real pty, FIO*, unknown
 * requests), poll/select/epoll and the fd-making calls, and the fd-to-fd copies. C programs make
 * each call with several argument variants (success and failure, NULL and bad pointers, unknown
 * values); then real programs (python's selectors/asyncio/select, a shell pipeline, stty on a
 * pty). Property tests: random captures and raw values never throw and always give text.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeArgs, renderReturn } from '../../src/trace/decode.js';
import { ioctlRequestText } from '../../src/trace/decode/printers/ioctl.js';
import { IOCTL_NAMES_TEXT } from '../../src/trace/decode/ioctl-names.js';
import { Cap, type Capture } from '../../src/trace/records.js';
import { compileC, type CompiledC } from '../helpers/cc.js';
import { ROOT, skipUnlessCapable } from '../helpers/env.js';
import { traceBoth, type TracePair } from '../helpers/strace-diff.js';

const HEAD = `#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/sendfile.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <linux/falloc.h>
#include <linux/fs.h>
`;

const FCNTL = `${HEAD}
int main(int argc, char **argv) {
  int fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0644);
  int p[2]; pipe(p);
  fcntl(fd, F_DUPFD, 100); fcntl(fd, F_DUPFD_CLOEXEC, 0); syscall(SYS_fcntl, fd, F_DUPFD, -1L);
  fcntl(fd, F_GETFD); fcntl(fd, F_SETFD, FD_CLOEXEC); fcntl(fd, F_GETFD); fcntl(fd, F_SETFD, 5); fcntl(fd, F_SETFD, 0x10);
  fcntl(fd, F_GETFL); fcntl(fd, F_SETFL, O_NONBLOCK | O_APPEND); fcntl(fd, F_GETFL); fcntl(p[0], F_GETFL);
  fcntl(p[1], F_SETFL, 0); fcntl(fd, F_SETFL, 0x80000000 | O_RDWR | O_DIRECT | O_NOATIME);
  struct flock fl = {F_WRLCK, SEEK_SET, 0, 100, 0};
  fcntl(fd, F_SETLK, &fl);
  fl.l_type = F_RDLCK; fl.l_whence = SEEK_CUR; fl.l_start = -5; fcntl(fd, F_SETLKW, &fl);
  fl = (struct flock){F_WRLCK, SEEK_SET, 10, 100, 0}; fcntl(fd, F_GETLK, &fl); fcntl(fd, F_OFD_GETLK, &fl);
  fl.l_type = 7; fl.l_whence = 9; fcntl(fd, F_SETLK, &fl); fcntl(fd, F_OFD_SETLK, &fl); fcntl(fd, F_OFD_SETLKW, &fl);
  fcntl(fd, F_SETLK, (void *)8); fcntl(fd, F_GETLK, NULL); fcntl(fd, F_GETLK, (void *)8);
  int go[2]; pipe(go);
  pid_t kid = fork();
  if (kid == 0) {
    int lk = open(argv[1], O_RDWR);
    fcntl(lk, F_SETLK, &(struct flock){F_WRLCK, SEEK_SET, 0, 0, 0});
    write(go[1], "x", 1); pause(); _exit(0);
  }
  char c; read(go[0], &c, 1);
  struct flock g = {F_RDLCK, SEEK_SET, 0, 0, 0}; fcntl(fd, F_GETLK, &g);
  kill(kid, SIGKILL); waitpid(kid, NULL, 0);
  fcntl(fd, F_SETOWN, 0); fcntl(fd, F_GETOWN);
  struct f_owner_ex ox = {F_OWNER_PGRP, 12};
  fcntl(fd, F_SETOWN_EX, &ox); fcntl(fd, F_GETOWN_EX, &ox); fcntl(fd, F_SETOWN_EX, NULL);
  ox.type = 9; fcntl(fd, F_SETOWN_EX, &ox); fcntl(fd, F_GETOWN_EX, (void *)16);
  fcntl(fd, F_SETSIG, SIGUSR1); fcntl(fd, F_GETSIG); fcntl(fd, F_SETSIG, 0); fcntl(fd, F_GETSIG);
  syscall(SYS_fcntl, fd, F_SETSIG, 99L);
  fcntl(fd, F_SETLEASE, F_RDLCK); fcntl(fd, F_GETLEASE); syscall(SYS_fcntl, fd, F_SETLEASE, 9L);
  fcntl(fd, F_NOTIFY, DN_MODIFY | DN_CREATE | DN_MULTISHOT); fcntl(fd, F_NOTIFY, 0x40000000);
  fcntl(p[0], F_GETPIPE_SZ); fcntl(p[0], F_SETPIPE_SZ, 8192); syscall(SYS_fcntl, fd, F_SETPIPE_SZ, -1L);
  int m = memfd_create("x", MFD_ALLOW_SEALING);
  fcntl(m, F_GET_SEALS); fcntl(m, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW); fcntl(m, F_GET_SEALS); fcntl(m, F_ADD_SEALS, 0x100);
  fcntl(fd, 0x1234, 5); fcntl(-1, F_GETFL); fcntl(-1, F_SETFL, O_NONBLOCK);
  syscall(SYS_fcntl, 0x100000000L | fd, 0x100000001L, 77L); syscall(SYS_fcntl, fd, F_SETOWN, 0x1fffffffbL);
  fcntl(fd, 1029 /* F_CANCELLK */); fcntl(fd, 1035, &ox);
  return 0;
}
`;

/** A pty pair: the terminal requests on its secondary side, the pty ones on its primary. */
const IOCTL = `${HEAD}
#include <net/if.h>
#include <sys/socket.h>
int main(int argc, char **argv) {
  int m = posix_openpt(O_RDWR | O_NOCTTY);
  grantpt(m); unlockpt(m);
  int s = open(ptsname(m), O_RDWR | O_NOCTTY);
  struct termios t, r; tcgetattr(s, &t);
  r = t; cfmakeraw(&r); tcsetattr(s, TCSANOW, &r);
  r.c_cflag |= PARENB | CSTOPB | CRTSCTS | HUPCL | CLOCAL; cfsetspeed(&r, B9600); r.c_cflag = (r.c_cflag & ~CSIZE) | CS7;
  r.c_iflag |= IGNBRK | BRKINT | IGNPAR | PARMRK | INPCK | ISTRIP | INLCR | IGNCR | IUCLC | IXANY | IXOFF | IMAXBEL | IUTF8;
  r.c_oflag |= OLCUC | OCRNL | ONOCR | ONLRET | OFILL | OFDEL | NL1 | CR2 | TAB3 | BS1 | VT1 | FF1;
  r.c_lflag |= XCASE | ECHONL | NOFLSH | TOSTOP | ECHOPRT | FLUSHO | PENDIN | EXTPROC;
  tcsetattr(s, TCSADRAIN, &r);
  r.c_cflag = (r.c_cflag & ~CBAUD) | B4000000; tcsetattr(s, TCSAFLUSH, &r);
  r.c_iflag = 0; r.c_oflag = 0; r.c_cflag = 0; r.c_lflag = 0; tcsetattr(s, TCSANOW, &r);
  r.c_iflag = 0x80000000; r.c_oflag = 0x80000000; r.c_cflag = 0x80000000 | B38400; r.c_lflag = 0x80000000;
  tcsetattr(s, TCSANOW, &r);
  struct { uint32_t i, o, c, l; uint8_t line, cc[19]; } all = {~0U, ~0U, ~0U, ~0U};
  ioctl(-1, TCSETS, &all);
  struct { uint16_t i, o, c, l; uint8_t line, cc[8]; } old = {0xffff, 0xffff, 0xffff, 0xffff};
  ioctl(-1, TCSETA, &old);
  tcsetattr(s, TCSANOW, &t);
  struct winsize w = {24, 80, 640, 480}; ioctl(s, TIOCSWINSZ, &w); ioctl(s, TIOCGWINSZ, &w);
  pid_t pg = 12345; ioctl(s, TIOCGPGRP, &pg); ioctl(s, TIOCSPGRP, &pg); ioctl(s, TIOCGSID, &pg);
  int k = 0; ioctl(m, FIONREAD, &k); ioctl(s, TIOCOUTQ, &k);
  k = 1; ioctl(s, FIONBIO, &k); k = 0; ioctl(s, FIONBIO, &k); ioctl(s, FIOASYNC, &k);
  ioctl(s, FIOCLEX); ioctl(s, FIONCLEX);
  ioctl(s, TCFLSH, TCIFLUSH); ioctl(s, TCFLSH, TCIOFLUSH); ioctl(s, TCFLSH, 9);
  ioctl(s, TCXONC, TCOOFF); ioctl(s, TCXONC, TCOON); ioctl(s, TCXONC, 7);
  ioctl(s, TCSBRK, 1); ioctl(s, TCSBRKP, 0);
  ioctl(s, TIOCGETD, &k); ioctl(s, TIOCSETD, &k); ioctl(s, TIOCEXCL); ioctl(s, TIOCGEXCL, &k); ioctl(s, TIOCNXCL);
  ioctl(m, TIOCGPTN, &k); k = 1; ioctl(m, TIOCSPTLCK, &k); k = 0; ioctl(m, TIOCSPTLCK, &k); k = 1; ioctl(m, TIOCPKT, &k);
  ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY);
  ioctl(s, TIOCSCTTY, 0); ioctl(s, TIOCNOTTY);
  struct termio to; ioctl(s, TCGETA, &to); ioctl(s, TCSETA, &to);
  ioctl(s, TCGETS, NULL); ioctl(s, TCGETS, (void *)16); ioctl(s, TCSETS, (void *)16); ioctl(s, TIOCSWINSZ, NULL);
  ioctl(-1, TCSETS, &t); ioctl(-1, TIOCSWINSZ, &w); ioctl(-1, TIOCSPGRP, &pg); ioctl(-1, FIONBIO, &k);
  int f = open(argv[1], O_RDWR | O_CREAT, 0644); long fl;
  ioctl(f, FS_IOC_GETFLAGS, &fl); fl = 0; ioctl(-1, FS_IOC_SETFLAGS, &fl); fl = ~0L; ioctl(-1, FS_IOC_SETFLAGS, &fl);
  fl = 0x1000000; ioctl(-1, FS_IOC_SETFLAGS, &fl);
  ioctl(f, FICLONE, 100); ioctl(f, TCGETS, &t); ioctl(f, FIONREAD, &k);
  ioctl(f, 0xc0105a01, 0); ioctl(f, 0x12345678, 0x11); ioctl(f, _IO('Q', 3), 0); ioctl(f, _IOW('Q', 0x7f, int), &k);
  syscall(SYS_ioctl, f, 0x100005401UL, &t);
  int sk = socket(AF_INET, SOCK_DGRAM, 0);
  struct ifreq ir; memset(&ir, 0, sizeof ir); strcpy(ir.ifr_name, "lo");
  ioctl(sk, SIOCGIFINDEX, &ir); ioctl(sk, SIOCGIFFLAGS, &ir); ioctl(sk, SIOCGIFMTU, &ir); ioctl(sk, SIOCGIFADDR, &ir);
  ioctl(sk, SIOCGIFNETMASK, &ir); ioctl(sk, SIOCGIFTXQLEN, &ir); ioctl(sk, SIOCGIFMETRIC, &ir);
  ir.ifr_ifindex = 1; ioctl(sk, SIOCGIFNAME, &ir); ir.ifr_ifindex = 99999; ioctl(sk, SIOCGIFNAME, &ir);
  strcpy(ir.ifr_name, "nosuch0"); ioctl(sk, SIOCGIFINDEX, &ir); ioctl(sk, SIOCGIFFLAGS, &ir);
  memset(ir.ifr_name, 'x', 16); ir.ifr_flags = (short)0xffff; ioctl(-1, SIOCSIFFLAGS, &ir);
  strcpy(ir.ifr_name, "a\\"b\\n"); ir.ifr_mtu = 1500; ioctl(-1, SIOCSIFMTU, &ir); ioctl(sk, SIOCGIFINDEX, (void *)16);
  return 0;
}
`;

const POLL = `${HEAD}
int main(void) {
  int p[2]; pipe2(p, O_CLOEXEC | O_NONBLOCK); pipe2(p, 0); pipe2(p, O_DIRECT); pipe2(p, 0x10); pipe2(NULL, 0);
  int q[2]; pipe(q);
  write(p[1], "x", 1);
  struct pollfd f[4] = {{p[0], POLLIN | POLLPRI, 0}, {p[1], POLLOUT, 0}, {99, POLLIN, 0}, {-1, POLLIN, 0}};
  poll(f, 4, 0); poll(f, 1, 100); poll(NULL, 0, 0); syscall(SYS_poll, 16L, 1L, 0L);
  struct pollfd g[1] = {{q[0], POLLIN, 0}}; poll(g, 1, 0);
  struct pollfd many[40]; for (int i = 0; i < 40; i++) { many[i].fd = p[1]; many[i].events = POLLOUT; } poll(many, 40, 0);
  struct timespec ts = {0, 0};
  sigset_t ss; sigemptyset(&ss); sigaddset(&ss, SIGUSR1);
  ppoll(f, 2, &ts, &ss); ppoll(g, 1, &ts, NULL); ppoll(f, 2, NULL, NULL);
  fd_set r, w; FD_ZERO(&r); FD_ZERO(&w); FD_SET(p[0], &r); FD_SET(q[0], &r); FD_SET(p[1], &w);
  struct timeval tv = {0, 0};
  syscall(SYS_select, q[0] + 1, &r, &w, NULL, &tv);
  FD_ZERO(&r); FD_SET(q[0], &r); syscall(SYS_select, q[0] + 1, &r, NULL, NULL, &tv);
  syscall(SYS_select, 2, (void *)16, NULL, NULL, NULL);
  FD_ZERO(&r); FD_SET(p[0], &r);
  struct { void *ss; size_t len; } sm = {&ss, 8};
  syscall(SYS_pselect6, p[0] + 1, &r, NULL, NULL, &ts, &sm);
  sm.ss = (void *)16; syscall(SYS_pselect6, p[0] + 1, &r, NULL, NULL, &ts, &sm);
  syscall(SYS_pselect6, p[0] + 1, &r, NULL, NULL, &ts, (void *)16);
  sm.ss = NULL; syscall(SYS_pselect6, p[0] + 1, &r, NULL, NULL, NULL, &sm);
  syscall(SYS_pselect6, -1, NULL, NULL, NULL, &ts, NULL);
  int e = epoll_create1(EPOLL_CLOEXEC); syscall(SYS_epoll_create1, 0x10L); epoll_create(5);
  struct epoll_event ev = {EPOLLIN | EPOLLET, {.u64 = 0x100000003ULL}};
  epoll_ctl(e, EPOLL_CTL_ADD, p[0], &ev);
  ev.events = EPOLLOUT | EPOLLRDHUP | EPOLLEXCLUSIVE; ev.data.fd = p[1]; epoll_ctl(e, EPOLL_CTL_ADD, p[1], &ev);
  epoll_ctl(e, EPOLL_CTL_DEL, p[1], NULL); epoll_ctl(e, EPOLL_CTL_DEL, p[0], &ev); epoll_ctl(e, EPOLL_CTL_ADD, p[0], &ev);
  ev.events = EPOLLIN | EPOLLONESHOT; ev.data.u64 = 7; epoll_ctl(e, EPOLL_CTL_MOD, p[0], &ev);
  epoll_ctl(e, 9, p[0], &ev); epoll_ctl(e, EPOLL_CTL_ADD, p[0], (void *)16);
  struct epoll_event out[4];
  epoll_wait(e, out, 4, 0); epoll_wait(e, out, 4, 1); epoll_pwait(e, out, 4, 0, &ss); epoll_pwait(e, out, 4, 0, NULL);
  syscall(SYS_epoll_pwait2, e, out, 4, &ts, NULL, 8);
  eventfd(3, EFD_CLOEXEC | EFD_NONBLOCK | EFD_SEMAPHORE); eventfd(0, 0); syscall(SYS_eventfd2, 0, 0x10L);
  int tf = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK); timerfd_create(CLOCK_REALTIME, 0);
  struct itimerspec it = {{1, 0}, {0, 5000000}}, was;
  timerfd_gettime(tf, &was); timerfd_settime(tf, 0, &it, &was);
  timerfd_settime(tf, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &it, NULL); timerfd_settime(tf, 0, NULL, NULL);
  signalfd(-1, &ss, SFD_CLOEXEC | SFD_NONBLOCK); signalfd(-1, &ss, 0); syscall(SYS_signalfd4, -1, NULL, 8, 0x10L);
  dup(0); dup2(0, 20); dup3(0, 21, O_CLOEXEC); dup3(0, 22, 0); dup(-1); syscall(SYS_dup3, 0, 23, 0x10L);
  return 0;
}
`;

const COPIES = `${HEAD}
int main(int argc, char **argv) {
  int f = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0644);
  write(f, "hello world\\n", 12);
  posix_fadvise(f, 0, 0, POSIX_FADV_SEQUENTIAL); posix_fadvise(f, 10, 100, POSIX_FADV_DONTNEED);
  for (long a = 0; a < 7; a++) syscall(SYS_fadvise64, f, 0L, 0L, a);
  syscall(SYS_fadvise64, f, -1L, -2L, 0L);
  fallocate(f, 0, 0, 4096); fallocate(f, FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE, 0, 10);
  syscall(SYS_fallocate, f, 0xffffffffL, 0L, 1L); syscall(SYS_fallocate, f, 0x100L, -1L, 1L);
  flock(f, LOCK_EX); flock(f, LOCK_UN); flock(f, LOCK_SH | LOCK_NB); flock(f, 0); flock(f, 0xff); flock(f, LOCK_UN);
  int g = open(argv[2], O_RDWR | O_CREAT | O_TRUNC, 0644);
  lseek(f, 0, SEEK_SET);
  off_t o = 2; loff_t oi = 0, oo = 0;
  sendfile(g, f, &o, 5); sendfile(g, f, NULL, 5); sendfile(g, -1, &o, 5); sendfile(g, f, (void *)16, 5);
  copy_file_range(f, &oi, g, &oo, 100, 0); copy_file_range(f, NULL, g, NULL, 100, 0); copy_file_range(f, NULL, g, NULL, 100, 1);
  copy_file_range(f, &oi, -1, (void *)16, 5, 0);
  int p[2]; pipe(p);
  loff_t so = 0;
  splice(f, &so, p[1], NULL, 4, SPLICE_F_MOVE | SPLICE_F_MORE); splice(p[0], NULL, g, NULL, 4, SPLICE_F_NONBLOCK | SPLICE_F_GIFT);
  splice(f, NULL, p[1], NULL, 4, 0xf0); splice(f, (void *)16, -1, &so, 5, 0);
  int q[2]; pipe(q); write(p[1], "abc", 3);
  tee(p[0], q[1], 3, SPLICE_F_NONBLOCK); tee(p[0], q[1], 3, 0);
  struct iovec iv[2] = {{"ab", 2}, {"cde", 3}}; vmsplice(q[1], iv, 2, SPLICE_F_GIFT); vmsplice(q[1], iv, 1, 0);
  syscall(SYS_close_range, 50, 60, 0); syscall(SYS_close_range, 50, ~0U, 4); syscall(SYS_close_range, 50, 60, 2);
  syscall(SYS_close_range, 50, 60, 0x10); syscall(SYS_close_range, 3, 2, 6L);
  return 0;
}
`;

const URING = `${HEAD}
#include <linux/io_uring.h>
int main(void) {
  struct io_uring_params p; memset(&p, 0, sizeof p);
  int fd = syscall(SYS_io_uring_setup, 8, &p);
  memset(&p, 0, sizeof p); p.flags = IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP; p.cq_entries = 64; syscall(SYS_io_uring_setup, 4, &p);
  memset(&p, 0, sizeof p); p.flags = 0x80000000; syscall(SYS_io_uring_setup, 4, &p);
  memset(&p, 0, sizeof p); p.sq_thread_cpu = 3; p.resv[0] = 1; syscall(SYS_io_uring_setup, 4, &p);
  memset(&p, 0, sizeof p); p.flags = ~0U; p.sq_thread_idle = 7; p.wq_fd = 5; syscall(SYS_io_uring_setup, 4, &p);
  syscall(SYS_io_uring_setup, 4, NULL); syscall(SYS_io_uring_setup, 4, (void *)16);
  sigset_t ss; sigemptyset(&ss); sigaddset(&ss, SIGINT);
  syscall(SYS_io_uring_enter, fd, 0, 0, IORING_ENTER_GETEVENTS, NULL, 0);
  syscall(SYS_io_uring_enter, fd, 1, 1, IORING_ENTER_GETEVENTS | IORING_ENTER_SQ_WAKEUP, &ss, 8);
  syscall(SYS_io_uring_enter, fd, 0, 0, 0xffffffffL, NULL, 0);
  int fds[2] = {0, 1};
  syscall(SYS_io_uring_register, fd, IORING_REGISTER_FILES, fds, 2); syscall(SYS_io_uring_register, fd, IORING_UNREGISTER_FILES, NULL, 0);
  syscall(SYS_io_uring_register, fd, IORING_REGISTER_EVENTFD, fds, 1); syscall(SYS_io_uring_register, fd, 99, NULL, 0);
  syscall(SYS_io_uring_register, fd, IORING_UNREGISTER_BUFFERS, fds, 0);
  return 0;
}
`;

/** -y: paths of the fds in memory (pipe's new ones, poll's), of an unlinked file named oddly. */
const PATHS = `${HEAD}
#include <sys/socket.h>
int main(int argc, char **argv) {
  int f = open(argv[1], O_RDWR | O_CREAT, 0644); unlink(argv[1]);
  int p[2]; pipe(p); pipe2(p, O_CLOEXEC); pipe2((void *)16, 0);
  int sv[2]; socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  struct pollfd pf[4] = {{f, POLLIN, 0}, {p[1], POLLOUT, 0}, {77, POLLIN, 0}, {-1, 0, 0}}; poll(pf, 4, 0);
  struct timespec ts = {0, 0}; ppoll(pf, 2, &ts, NULL);
  fcntl(f, F_DUPFD, 100); dup2(p[0], 50); dup3(p[0], 51, O_CLOEXEC);
  return 0;
}
`;

/** Block device requests, on a loop device (argv[1]) and on a bad fd (input structs still print). */
const BLOCK = `${HEAD}
int main(int argc, char **argv) {
  int f = open(argv[1], O_RDONLY);
  uint64_t s; int i; long l; unsigned u; unsigned short us;
  ioctl(f, BLKGETSIZE64, &s); ioctl(f, BLKGETSIZE, &l); ioctl(f, BLKSSZGET, &i); ioctl(f, BLKPBSZGET, &u);
  ioctl(f, BLKBSZGET, &i); ioctl(f, BLKIOMIN, &u); ioctl(f, BLKIOOPT, &u); ioctl(f, BLKALIGNOFF, &i); ioctl(f, BLKROGET, &i);
  ioctl(f, BLKRAGET, &l); ioctl(f, BLKDISCARDZEROES, &u); ioctl(f, BLKROTATIONAL, &us); ioctl(f, BLKSECTGET, &us);
  ioctl(f, BLKFRAGET, &l); ioctl(f, BLKFLSBUF);
  ioctl(-1, BLKGETSIZE64, &s); ioctl(-1, BLKRASET, 256); i = 4096; ioctl(-1, BLKBSZSET, &i); i = 0; ioctl(-1, BLKROSET, &i);
  uint64_t r[2] = {0, 4096}; ioctl(-1, BLKDISCARD, r); ioctl(-1, BLKZEROOUT, r); ioctl(-1, BLKSECDISCARD, r); ioctl(-1, BLKRRPART);
  return 0;
}
`;

const FCNTL_CALLS = ['fcntl'];
const IO_CALLS = [
  'pipe2',
  'poll',
  'ppoll',
  'select',
  'pselect6',
  'epoll_create',
  'epoll_create1',
  'epoll_ctl',
  'epoll_wait',
  'epoll_pwait',
  'epoll_pwait2',
  'eventfd2',
  'timerfd_create',
  'timerfd_settime',
  'timerfd_gettime',
  'signalfd4',
  'dup',
  'dup2',
  'dup3',
];
const COPY_CALLS = [
  'fadvise64',
  'fallocate',
  'flock',
  'sendfile',
  'copy_file_range',
  'splice',
  'tee',
  'vmsplice',
  'close_range',
];

let strace = true;
let dir = '';
const built: CompiledC[] = [];
const bins: Record<string, string> = {};

beforeAll(() => {
  strace = spawnSync('strace', ['-V']).status === 0;
  dir = mkdtempSync(join(tmpdir(), 'oslens-fdio-'));
  for (const [name, src] of Object.entries({
    fcntl: FCNTL,
    ioctl: IOCTL,
    poll: POLL,
    copies: COPIES,
    uring: URING,
    paths: PATHS,
    block: BLOCK,
  })) {
    const c = compileC(`fdio-${name}`, src);
    built.push(c);
    bins[name] = c.bin;
  }
});
afterAll(() => {
  for (const c of built) c.remove();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/**
 * Values that differ between two runs: a lock holder's pid, a pty's number, the upper half of
 * an epoll data word a program left unset (python sets data.fd only: stack bytes). The padding before
 * ` = ` (column 40) is the renderer's, not the decoder's: compared as one space.
 */
function stable(line: string): string {
  return line
    .replace(/\s+= /, ' = ')
    .replace(/l_pid=[1-9]\d*/g, 'l_pid=PID')
    .replace(/TIOCGPTN, \[\d+\]/, 'TIOCGPTN, [N]')
    .replace(/(data=\{u32=\d+, u64=)\d{12,}\}/g, '$1GARBAGE}');
}

function expectSame(pair: TracePair, calls: string[]): void {
  const pick = (lines: string[]) => lines.map(stable).filter((l) => calls.some((c) => l.startsWith(`${c}(`)));
  const s = pick(pair.strace);
  expect(s.length).toBeGreaterThan(calls.length);
  expect(pick(pair.oslens)).toEqual(s);
}

describe('descriptor decodes against strace', () => {
  it('fcntl: every command, struct flock and f_owner_ex, decoded returns, unknown values', (ctx) => {
    if (!strace) skipUnlessCapable(ctx.skip, 'strace is not installed');
    expectSame(traceBoth([bins.fcntl!, join(dir, 'fcntl-file')], ['-e', 'trace=fcntl']), FCNTL_CALLS);
  });

  it('ioctl: termios/termio/winsize on a pty, FIO*, TIOC*, FS_IOC_*FLAGS, unknown requests', (ctx) => {
    if (!strace) skipUnlessCapable(ctx.skip, 'strace is not installed');
    expectSame(traceBoth([bins.ioctl!, join(dir, 'ioctl-file')], ['-e', 'trace=ioctl']), ['ioctl']);
  });

  it('poll, ppoll, select, pselect6, epoll, eventfd2, timerfd, signalfd, pipe2, dup*', (ctx) => {
    if (!strace) skipUnlessCapable(ctx.skip, 'strace is not installed');
    expectSame(traceBoth([bins.poll!], ['-e', `trace=${IO_CALLS.join(',')}`]), IO_CALLS);
  });

  it('fadvise64, fallocate, flock, sendfile, copy_file_range, splice, tee, vmsplice, close_range', (ctx) => {
    if (!strace) skipUnlessCapable(ctx.skip, 'strace is not installed');
    const pair = traceBoth(
      [bins.copies!, join(dir, 'copy-a'), join(dir, 'copy-b')],
      ['-e', `trace=${COPY_CALLS.join(',')}`],
    );
    expectSame(pair, COPY_CALLS);
  });

  it('io_uring_setup params in and out, io_uring_enter flags and sigmask, io_uring_register fds', (ctx) => {
    if (!strace) skipUnlessCapable(ctx.skip, 'strace is not installed');
    const calls = ['io_uring_setup', 'io_uring_enter', 'io_uring_register'];
    expectSame(traceBoth([bins.uring!], ['-e', `trace=${calls.join(',')}`]), calls);
  });

  it('-y: the paths behind pipe2/socketpair results and poll/ppoll fds, read at the stop', (ctx) => {
    if (!strace) skipUnlessCapable(ctx.skip, 'strace is not installed');
    const calls = ['pipe', 'pipe2', 'socketpair', 'poll', 'ppoll', 'fcntl', 'dup2', 'dup3'];
    const pair = traceBoth([bins.paths!, join(dir, 'we<ird>\nname')], ['-y', '-e', `trace=${calls.join(',')}`]);
    const inodes = (lines: string[]) => lines.map((l) => l.replace(/(pipe|socket):\[\d+\]/g, '$1:[INODE]'));
    expectSame({ strace: inodes(pair.strace), oslens: inodes(pair.oslens) }, calls);
    expect(pair.strace.some((l) => l.includes('\\74ird\\76\\nname>(deleted)'))).toBe(true);
  });

  it('block device ioctls (BLKGETSIZE64, BLKSSZGET, BLKDISCARD...) on a loop device', (ctx) => {
    if (!strace) skipUnlessCapable(ctx.skip, 'strace is not installed');
    const image = join(dir, 'loop.img');
    spawnSync('truncate', ['-s', '8M', image]);
    const setup = spawnSync('losetup', ['-f', '--show', image], { encoding: 'utf8' });
    const dev = setup.status === 0 ? setup.stdout.trim() : '';
    if (!dev) skipUnlessCapable(ctx.skip, `no loop device: ${setup.stderr?.trim() ?? 'losetup failed'}`);
    try {
      expectSame(traceBoth([bins.block!, dev], ['-e', 'trace=ioctl']), ['ioctl']);
    } finally {
      spawnSync('losetup', ['-d', dev]);
    }
  });

  it('every ioctl request of the generated table is named as strace names it', (ctx) => {
    if (!strace) skipUnlessCapable(ctx.skip, 'strace is not installed');
    // Requests whose argument strace decodes by value ('o': KDSETMODE's KD_TEXT) print it raw here.
    const codes = IOCTL_NAMES_TEXT.split('\n')
      .map((l) => /^([0-9a-f]+) [nxdp] /.exec(l)?.[1])
      .filter((c): c is string => Boolean(c));
    // Plus codes no table has: _IOC(...) for every direction.
    const all = [...codes.map((c) => `0x${c}u`), '0xc0105a01u', '0x5a7fu', '0x40045a7fu', '0x80005affu'];
    const probe = compileC(
      'fdio-ioctl-names',
      `#include <sys/ioctl.h>\nstatic const unsigned c[] = {${all.join(',')}};\nint main(void) { for (unsigned i = 0; i < sizeof c / sizeof *c; i++) ioctl(-1, c[i], 0x11); return 0; }\n`,
    );
    try {
      const pair = traceBoth([probe.bin], ['-e', 'trace=ioctl']);
      expect(pair.strace.length).toBe(all.length + 1);
      expect(pair.oslens.map(stable)).toEqual(pair.strace.map(stable));
    } finally {
      probe.remove();
    }
  });
});

describe('descriptor decodes on real programs', () => {
  const FAMILY = ['fcntl', 'ioctl', ...IO_CALLS, ...COPY_CALLS];

  it('python: selectors, select, poll, asyncio, fcntl, termios on a pipe, pipe2, eventfd, dup2', (ctx) => {
    if (!strace) skipUnlessCapable(ctx.skip, 'strace is not installed');
    const script = [
      'import asyncio, fcntl, os, select, selectors, termios',
      'r, w = os.pipe2(os.O_CLOEXEC); os.write(w, b"x")',
      's = selectors.DefaultSelector(); s.register(r, selectors.EVENT_READ); s.select(0); s.close()',
      'select.select([r], [w], [], 0); p = select.poll(); p.register(r, select.POLLIN); p.poll(0)',
      'fcntl.fcntl(r, fcntl.F_SETFL, fcntl.fcntl(r, fcntl.F_GETFL) | os.O_NONBLOCK); fcntl.fcntl(w, fcntl.F_GETFD)',
      'try: termios.tcgetattr(r)',
      'except termios.error: pass',
      'os.eventfd(0, os.EFD_CLOEXEC); os.dup2(r, 50); os.set_inheritable(50, True)',
      'asyncio.run(asyncio.sleep(0))',
    ].join('\n');
    expectSame(traceBoth(['python3', '-c', script], ['-e', `trace=${FAMILY.join(',')}`]), FAMILY);
  });

  it('stty and a shell on a pty (script -q): TCGETS, TCSETSW, TIOCGWINSZ as strace prints them', (ctx) => {
    if (!strace) skipUnlessCapable(ctx.skip, 'strace is not installed');
    if (spawnSync('script', ['-V']).status !== 0) skipUnlessCapable(ctx.skip, 'script (util-linux) is not installed');
    const run = (tracer: string, out: string) =>
      spawnSync(
        'script',
        [
          '-q',
          '-c',
          `${tracer} -e trace=ioctl -o ${out} sh -c 'stty -a; stty -echo; stty echo; stty size'`,
          '/dev/null',
        ],
        {
          stdio: 'ignore',
          timeout: 60_000,
        },
      );
    const s = join(dir, 'tty-strace.txt');
    const o = join(dir, 'tty-oslens.txt');
    run('strace -f', s);
    run(`${process.execPath} ${join(ROOT, 'bin/oslens')} trace -f`, o);
    const lines = (f: string) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .map((l) => stable(l.replace(/^\d+ +/, '').replace(/0x[0-9a-f]{8,}/g, '0xADDR')))
        .filter((l) => l.startsWith('ioctl('))
        .sort();
    expect(lines(s).some((l) => l.includes('TCSETSW'))).toBe(true);
    expect(lines(o)).toEqual(lines(s));
  });
});

describe('descriptor decoders on random input', () => {
  const CALLS = ['fcntl', 'ioctl', ...IO_CALLS, ...COPY_CALLS, 'io_uring_setup', 'io_uring_enter', 'io_uring_register'];
  const capture = fc.record({
    arg: fc.integer({ min: 0, max: 5 }),
    phase: fc.constantFrom(0 as const, 1 as const),
    kind: fc.constantFrom(
      Cap.structInOut,
      Cap.structIn,
      Cap.structOut,
      Cap.arrayInOutArg,
      Cap.argExit,
      Cap.ptrLenIn,
      Cap.fdArrayPaths,
      Cap.arrayOutRet,
    ),
    truncated: fc.boolean(),
    fault: fc.boolean(),
    data: fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
  });
  const word = fc.oneof(
    fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
    fc.constantFrom(0n, 1n, 2n, 3n, 0x5401n, 0x5413n, 1030n),
  );

  it('never throw and always give text, for any raw values and captured bytes', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...CALLS),
        fc.array(word, { minLength: 6, maxLength: 6 }),
        fc.array(capture, { maxLength: 6 }),
        fc.option(fc.bigInt({ min: -4095n, max: 1n << 40n })),
        fc.boolean(),
        (name, raw, caps, ret, showPaths) => {
          const ctx = { pid: process.pid, showPaths };
          const args = decodeArgs(name, raw, caps as Capture[], ret, ctx);
          for (const a of args) expect(typeof a.text).toBe('string');
          if (ret !== null) expect(typeof renderReturn(name, ret, ctx, caps as Capture[])).toBe('string');
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('a struct argument without its capture prints as the address, never a guessed decode', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0x1000n, max: (1n << 47n) - 1n }), (addr) => {
        const ctx = { pid: process.pid, showPaths: false };
        const tcgets = decodeArgs('ioctl', [1n, 0x5401n, addr, 0n, 0n, 0n], [], 0n, ctx);
        expect(tcgets[2]!.text).toBe(`0x${addr.toString(16)}`);
        const getlk = decodeArgs('fcntl', [3n, 5n, addr, 0n, 0n, 0n], [], 0n, ctx);
        expect(getlk[2]!.text).toBe(`0x${addr.toString(16)}`);
        const polled = decodeArgs('poll', [addr, 1n, 0n, 0n, 0n, 0n], [], 1n, ctx);
        expect(polled[0]!.text).toBe(`0x${addr.toString(16)}`);
      }),
    );
  });

  it('an unnamed request prints as _IOC(dir, type, nr, size) fields that recompose it', () => {
    const named = new Set(IOCTL_NAMES_TEXT.split('\n').map((l) => Number.parseInt(l.split(' ')[0]!, 16)));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (code) => {
        const text = ioctlRequestText(code);
        if (named.has(code)) return;
        const m = /^_IOC\((_IOC_NONE|_IOC_WRITE|_IOC_READ|_IOC_READ\|_IOC_WRITE), (\w+), (\w+), (\w+)\)$/.exec(text);
        expect(m).not.toBeNull();
        const dir = ['_IOC_NONE', '_IOC_WRITE', '_IOC_READ', '_IOC_READ|_IOC_WRITE'].indexOf(m![1]!);
        const back = ((dir << 30) | (Number(m![4]) << 16) | (Number(m![2]) << 8) | Number(m![3])) >>> 0;
        expect(back).toBe(code);
      }),
    );
  });
});
