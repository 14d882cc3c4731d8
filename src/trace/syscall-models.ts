/**
 * Which of the twelve mental models each syscall illustrates (hand-written). Explicit names
 * first, then one default per family (a name pattern), so a syscall added by a newer kernel
 * header still lands somewhere sensible. A test asserts that every syscall of the table maps.
 */
import type { ModelId } from '../lessons/types.js';

const EXPLICIT: Record<ModelId, string> = {
  process: `fork vfork clone execve execveat wait4 waitid exit_group getpid getppid setsid getsid setpgid
    getpgid getpgrp kill rt_sigaction rt_sigprocmask rt_sigreturn rt_sigsuspend rt_sigpending
    rt_sigtimedwait rt_sigqueueinfo pause alarm getitimer setitimer prlimit64 getrlimit setrlimit
    getrusage times prctl personality pidfd_open pidfd_send_signal pidfd_getfd kcmp umask vhangup`,
  thread: `clone3 gettid set_tid_address set_robust_list get_robust_list rseq arch_prctl tgkill tkill exit
    sigaltstack rt_tgsigqueueinfo set_thread_area get_thread_area modify_ldt`,
  'virtual-memory': `mmap munmap brk mprotect mremap madvise mlock mlock2 munlock mlockall munlockall mincore
    process_vm_readv process_vm_writev memfd_secret remap_file_pages uselib process_madvise
    process_mrelease map_shadow_stack mseal`,
  'page-table-tlb': `pkey_alloc pkey_free pkey_mprotect userfaultfd mbind set_mempolicy get_mempolicy
    move_pages migrate_pages set_mempolicy_home_node`,
  scheduling: `sched_yield sched_setaffinity sched_getaffinity sched_setscheduler sched_getscheduler
    sched_setparam sched_getparam sched_setattr sched_getattr sched_get_priority_max
    sched_get_priority_min sched_rr_get_interval setpriority getpriority getcpu nanosleep
    clock_nanosleep ioprio_set ioprio_get timer_create timer_settime timer_gettime timer_getoverrun
    timer_delete`,
  'syscall-boundary': `clock_gettime clock_getres clock_settime clock_adjtime gettimeofday settimeofday
    adjtimex time getrandom uname ptrace seccomp restart_syscall sysinfo syslog sysfs _sysctl
    perf_event_open bpf lookup_dcookie iopl ioperm reboot kexec_load kexec_file_load init_module
    finit_module delete_module create_module query_module get_kernel_syms nfsservctl getpmsg putpmsg
    afs_syscall tuxcall security vserver add_key request_key keyctl acct swapon swapoff`,
  'file-descriptor': `openat open openat2 creat close close_range read write pread64 pwrite64 readv
    writev preadv pwritev preadv2 pwritev2 lseek dup dup2 dup3 fcntl ioctl fstat stat lstat
    newfstatat statx statfs fstatfs ustat getdents getdents64 access faccessat faccessat2 pipe
    truncate getcwd chdir fchdir mkdir mkdirat rmdir link linkat unlink unlinkat symlink symlinkat
    readlink readlinkat chmod fchmod fchmodat fchmodat2 chown fchown lchown fchownat utime utimes
    utimensat futimesat mknod mknodat name_to_handle_at open_by_handle_at quotactl quotactl_fd`,
  'page-cache': `fsync fdatasync sync syncfs sync_file_range fadvise64 readahead msync fallocate ftruncate
    rename renameat renameat2 copy_file_range sendfile splice tee vmsplice cachestat`,
  synchronization: `futex futex_waitv futex_wake futex_wait futex_requeue membarrier semget semop
    semtimedop semctl flock`,
  ipc: `pipe2 socketpair socket bind listen accept accept4 connect sendto recvfrom sendmsg recvmsg
    sendmmsg recvmmsg shutdown getsockname getpeername setsockopt getsockopt shmget shmat shmdt
    shmctl msgget msgsnd msgrcv msgctl mq_open mq_unlink mq_timedsend mq_timedreceive mq_notify
    mq_getsetattr memfd_create eventfd eventfd2 signalfd signalfd4`,
  'epoll-io-uring': `epoll_create epoll_create1 epoll_ctl epoll_wait epoll_pwait epoll_pwait2 epoll_ctl_old
    epoll_wait_old poll ppoll select pselect6 io_uring_setup io_uring_enter io_uring_register
    timerfd_create timerfd_settime timerfd_gettime io_setup io_destroy io_submit io_cancel
    io_getevents io_pgetevents inotify_init inotify_init1 inotify_add_watch inotify_rm_watch
    fanotify_init fanotify_mark`,
  'namespaces-cgroups': `unshare setns pivot_root chroot mount umount2 mount_setattr open_tree move_mount
    fsopen fsconfig fsmount fspick sethostname setdomainname capget capset setgroups getgroups setuid
    setgid getuid getgid geteuid getegid setreuid setregid setresuid getresuid setresgid getresgid
    setfsuid setfsgid landlock_create_ruleset landlock_add_rule landlock_restrict_self listmount
    statmount open_tree_attr`,
};

/** Family defaults, tried in order when a name is not listed above. */
const FAMILIES: ReadonlyArray<readonly [RegExp, ModelId]> = [
  [/xattr/, 'file-descriptor'],
  [/^file_/, 'file-descriptor'],
  [/^(rt_)?sig/, 'process'],
  [/^pidfd_/, 'process'],
  [/^sched_/, 'scheduling'],
  [/^timer_/, 'scheduling'],
  [/^clock_/, 'syscall-boundary'],
  [/^epoll_|^io_uring_|^io_|^timerfd_|notify/, 'epoll-io-uring'],
  [/^futex/, 'synchronization'],
  [/^sem/, 'synchronization'],
  [/^(shm|msg|mq_)/, 'ipc'],
  [/^(send|recv)|sock|^accept|^bind|^listen|^connect/, 'ipc'],
  [/^set[a-z]*[ug]id|^get[a-z]*[ug]id|^cap[gs]et|groups$/, 'namespaces-cgroups'],
  [/^landlock_|mount|^fs(open|config|pick)|^(list|stat)mount/, 'namespaces-cgroups'],
  [/^lsm_/, 'syscall-boundary'],
  [/^pkey_|mempolicy/, 'page-table-tlb'],
  [/^m(un)?lock|^mmap|^madvise|^mremap|^mprotect|^process_m/, 'virtual-memory'],
  [/sync/, 'page-cache'],
  [/^(open|read|write|p(read|write)|close|dup|stat|fstat|lseek)/, 'file-descriptor'],
  [/^uretprobe$|^uprobe$/, 'syscall-boundary'],
];

const BY_NAME = new Map<string, ModelId>();
for (const [model, names] of Object.entries(EXPLICIT) as [ModelId, string][]) {
  for (const name of names.trim().split(/\s+/)) if (!BY_NAME.has(name)) BY_NAME.set(name, model);
}

/** The model of a syscall, or undefined when neither the table nor a family default covers it. */
export function modelForSyscall(name: string): ModelId | undefined {
  const explicit = BY_NAME.get(name);
  if (explicit) return explicit;
  for (const [re, model] of FAMILIES) if (re.test(name)) return model;
  return undefined;
}
