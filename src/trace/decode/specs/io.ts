/** Waiting on descriptors, and descriptors to wait on: poll, select, epoll, eventfd, timerfd, signalfd, io_uring. */
import { S, type Spec } from '../types.js';

export const IO_SPECS: Record<string, Spec> = {
  poll: S('pollfds uint msecs', 'poll'),
  ppoll: S('pollfds uint timeout_ts sigset uint', 'poll'),
  select: S('nfds fdset fdset fdset timeout_tv', 'select'),
  pselect6: S('nfds fdset fdset fdset timeout_ts pselect_sigmask', 'select'),
  epoll_create: S('int', 'fd'),
  epoll_create1: S('epollflags', 'fd'),
  epoll_ctl: S('fd epollop fd epollevent'),
  epoll_wait: S('fd epollevents_out int int'),
  epoll_pwait: S('fd epollevents_out int int sigset uint'),
  epoll_pwait2: S('fd epollevents_out int timespec sigset uint'),
  eventfd: S('uint', 'fd'),
  eventfd2: S('uint efdflags', 'fd'),
  timerfd_create: S('clockid tfdflags', 'fd'),
  timerfd_settime: S('fd tfdflags tfd_itimerspec tfd_itimerspec_out'),
  timerfd_gettime: S('fd tfd_itimerspec_out'),
  signalfd: S('fd sigset uint', 'fd'),
  signalfd4: S('fd sigset uint sfdflags', 'fd'),
  io_uring_setup: S('uint uring_params', 'fd'),
  io_uring_enter: S('fd uint uint uring_enter_flags uring_sig uint'),
  io_uring_register: S('fd uring_register_op uring_register_arg uint'),
};
