/** Sockets. */
import { S, type Spec } from '../types.js';

export const NET_SPECS: Record<string, Spec> = {
  socket: S('domain socktype int', 'fd'),
  connect: S('fd sockaddr:2 uint'),
  bind: S('fd sockaddr:2 uint'),
  listen: S('fd int'),
  accept: S('fd sockaddr_out:2 ptr', 'fd'),
  accept4: S('fd sockaddr_out:2 ptr oflags', 'fd'),
  sendto: S('fd bufin:2 uint hex sockaddr:5 uint'),
  recvfrom: S('fd bufout uint hex sockaddr_out:5 ptr'),
  shutdown: S('fd int'),
  getsockname: S('fd sockaddr_out:2 ptr'),
  getpeername: S('fd sockaddr_out:2 ptr'),
  socketpair: S('domain socktype int pipefds'),
};
