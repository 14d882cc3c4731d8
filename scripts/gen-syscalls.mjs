#!/usr/bin/env node
// Generates src/trace/syscall-table.generated.ts from the kernel's x86_64 unistd header:
// every syscall number and name, plus its strace classes (%file, %desc, ...). The class
// membership below is hand-written from the documented meaning of each class (strace(1)),
// because the headers do not carry it. The mental model of each syscall is NOT here: it lives
// in src/trace/syscall-models.ts (hand-written), so this file only reflects the kernel.
//
//   node scripts/gen-syscalls.mjs [path/to/unistd_64.h]
import { readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const header = process.argv[2] ?? '/usr/include/x86_64-linux-gnu/asm/unistd_64.h';
const out = resolve(root, 'src/trace/syscall-table.generated.ts');

const words = (s) => s.trim().split(/\s+/);

// %desc: takes or returns a file descriptor.
const DESC = words(`read write open close fstat poll lseek mmap ioctl pread64 pwrite64 readv writev pipe
  select dup dup2 sendfile fcntl flock fsync fdatasync ftruncate getdents fchdir creat fchmod fchown
  fstatfs readahead fsetxattr fgetxattr flistxattr fremovexattr epoll_create getdents64 fadvise64
  epoll_wait epoll_ctl mq_open mq_timedsend mq_timedreceive mq_notify mq_getsetattr inotify_init
  inotify_add_watch inotify_rm_watch openat mkdirat mknodat fchownat futimesat newfstatat unlinkat
  renameat linkat symlinkat readlinkat fchmodat faccessat pselect6 ppoll splice tee sync_file_range
  vmsplice utimensat epoll_pwait signalfd timerfd_create eventfd fallocate timerfd_settime
  timerfd_gettime signalfd4 eventfd2 epoll_create1 dup3 pipe2 inotify_init1 preadv pwritev
  perf_event_open fanotify_init fanotify_mark name_to_handle_at open_by_handle_at syncfs setns
  finit_module renameat2 memfd_create kexec_file_load bpf execveat userfaultfd copy_file_range
  preadv2 pwritev2 statx pidfd_send_signal io_uring_setup io_uring_enter io_uring_register
  open_tree move_mount fsopen fsconfig fsmount fspick pidfd_open close_range openat2 pidfd_getfd
  faccessat2 process_madvise epoll_pwait2 mount_setattr quotactl_fd landlock_create_ruleset
  landlock_add_rule landlock_restrict_self memfd_secret process_mrelease cachestat fchmodat2
  setxattrat getxattrat listxattrat removexattrat open_tree_attr file_getattr file_setattr`);
// %file: takes a file name.
const FILE = words(`open stat lstat access execve truncate getcwd chdir rename mkdir rmdir creat link
  unlink symlink readlink chmod chown lchown utime mknod uselib statfs pivot_root chroot acct mount
  umount2 swapon swapoff quotactl setxattr lsetxattr getxattr lgetxattr listxattr llistxattr
  removexattr lremovexattr utimes inotify_add_watch openat mkdirat mknodat fchownat futimesat
  newfstatat unlinkat renameat linkat symlinkat readlinkat fchmodat faccessat utimensat fanotify_mark
  name_to_handle_at renameat2 execveat statx open_tree move_mount fsconfig fspick openat2 faccessat2
  mount_setattr fchmodat2 setxattrat getxattrat listxattrat removexattrat open_tree_attr
  file_getattr file_setattr`);
// %network: sockets.
const NETWORK = words(`sendfile socket connect accept sendto recvfrom sendmsg recvmsg shutdown bind listen
  getsockname getpeername socketpair setsockopt getsockopt getpmsg putpmsg accept4 recvmmsg sendmmsg`);
// %process: process lifecycle.
const PROCESS = words(`clone fork vfork execve exit wait4 kill tkill exit_group tgkill waitid
  rt_sigqueueinfo rt_tgsigqueueinfo execveat pidfd_send_signal clone3`);
// %signal: signal-related.
const SIGNAL = words(`rt_sigaction rt_sigprocmask rt_sigreturn pause kill rt_sigpending rt_sigtimedwait
  rt_sigqueueinfo rt_sigsuspend sigaltstack tkill tgkill signalfd signalfd4 rt_tgsigqueueinfo
  pidfd_send_signal io_uring_enter`);
// %ipc: System V IPC.
const IPC = words(`shmget shmat shmctl semget semop semctl shmdt msgget msgsnd msgrcv msgctl semtimedop`);
// %memory: memory mapping.
const MEMORY = words(`mmap mprotect munmap brk mremap msync mincore madvise shmat shmdt mlock munlock
  mlockall munlockall io_setup io_destroy remap_file_pages mbind set_mempolicy get_mempolicy
  migrate_pages move_pages mlock2 pkey_mprotect io_uring_register set_mempolicy_home_node
  map_shadow_stack mseal`);
// %creds: user/group ids and capabilities.
const CREDS = words(`execve getuid getgid setuid setgid geteuid getegid setreuid setregid getgroups
  setgroups setresuid getresuid setresgid getresgid setfsuid setfsgid capget capset prctl execveat`);
// %clock: read or change the clocks.
const CLOCK = words(`gettimeofday adjtimex settimeofday time clock_settime clock_gettime clock_getres
  clock_adjtime`);
// %pure: no arguments, always succeed.
const PURE = words(`getpid getuid getgid geteuid getegid getppid getpgrp gettid`);

const CLASSES = {
  desc: DESC,
  file: FILE,
  network: NETWORK,
  process: PROCESS,
  signal: SIGNAL,
  ipc: IPC,
  memory: MEMORY,
  creds: CREDS,
  clock: CLOCK,
  pure: PURE,
};

const text = readFileSync(header, 'utf8');
const rows = [];
for (const m of text.matchAll(/^#define __NR_(\w+)\s+(\d+)\s*$/gm)) rows.push({ name: m[1], nr: Number(m[2]) });
rows.sort((a, b) => a.nr - b.nr);
if (rows.length < 300) throw new Error(`${header}: only ${rows.length} syscalls found`);

const known = new Set(rows.map((r) => r.name));
for (const [cls, names] of Object.entries(CLASSES)) {
  for (const n of names) {
    // Names of newer kernels than the header are allowed (the lists are shared across headers).
    if (!known.has(n) && !/^(cachestat|fchmodat2|map_shadow_stack|mseal|\w+xattrat|open_tree_attr|file_\w+)$/.test(n))
      throw new Error(`class %${cls}: ${n} is not a syscall in ${header}`);
  }
}

const lines = rows.map((r) => {
  const classes = Object.entries(CLASSES)
    .filter(([, names]) => names.includes(r.name))
    .map(([c]) => `'${c}'`);
  return `  [${r.nr}, '${r.name}', [${classes.join(', ')}]],`;
});

const body = `// GENERATED by scripts/gen-syscalls.mjs from ${header}. Do not edit; rerun the script.
/** [nr, name, strace classes] for every x86_64 syscall of the header. */
export const SYSCALL_ROWS: ReadonlyArray<readonly [number, string, readonly string[]]> = [
${lines.join('\n')}
];
`;
writeFileSync(out, body);
// Keep the generated file in the house style so \`prettier --check\` passes.
spawnSync(process.execPath, [resolve(root, 'node_modules/prettier/bin/prettier.cjs'), '--write', out], {
  stdio: 'inherit',
});
console.log(`wrote ${out}: ${rows.length} syscalls`);
