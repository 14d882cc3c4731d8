/** Waiting for many descriptors: poll, epoll, eventfd, io_uring. */
import { S, type Spec } from '../types.js';

export const IO_SPECS: Record<string, Spec> = {
  poll: S('pollfds uint int'),
  ppoll: S('pollfds uint timespec sigset uint'),
  epoll_create1: S('oflags', 'fd'),
  epoll_ctl: S('fd epollop fd epollevent'),
  epoll_wait: S('fd epollevents_out int int'),
  epoll_pwait: S('fd epollevents_out int int sigset uint'),
  eventfd2: S('uint oflags', 'fd'),
  io_uring_setup: S('uint ptr', 'fd'),
  io_uring_enter: S('fd uint uint hex ptr uint'),
};
