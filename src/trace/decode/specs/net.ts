/** Sockets: creation, addresses, connections, data, options. */
import { S, type Spec } from '../types.js';

export const NET_SPECS: Record<string, Spec> = {
  socket: S('domain socktype sockproto', 'fd'),
  socketpair: S('domain socktype uint pipefds'),
  connect: S('fd sockaddr:2 addrlen'),
  bind: S('fd sockaddr:2 addrlen'),
  listen: S('fd int'),
  accept: S('fd sockaddr_out:2 socklen_io:1', 'fd'),
  accept4: S('fd sockaddr_out:2 socklen_io:1 sockflags', 'fd'),
  getsockname: S('fd sockaddr_out:2 socklen_io:1'),
  getpeername: S('fd sockaddr_out:2 socklen_io:1'),
  sendto: S('fd sockbuf_in:2 len_nl_in:1 msgflags sockaddr:5 addrlen'),
  recvfrom: S('fd sockbuf_out len_nl_out:1 msgflags sockaddr_out:5 socklen_io:4'),
  shutdown: S('fd shutdownhow'),
  setsockopt: S('fd sockoptlevel sockoptname sockoptval_in:4 addrlen'),
  getsockopt: S('fd sockoptlevel sockoptname sockoptval_out:4 sockoptlen_io'),
  sendmsg: S('fd msghdr_in msgflags_nl_in:1'),
  recvmsg: S('fd msghdr_out msgflags_nl_out:1'),
  sendmmsg: S('fd mmsghdrs uint msgflags'),
  recvmmsg: S('fd mmsghdrs uint msgflags timespec'),
};
