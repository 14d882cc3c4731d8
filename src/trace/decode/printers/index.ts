/** Every argument type and return printer, merged from the printer files. */
import type { ArgType, RetPrinter } from '../types.js';
import { BUFFER_TYPES } from './buffer.js';
import { FCNTL_RET, FCNTL_TYPES } from './fcntl.js';
import { FD_RET, FD_TYPES } from './fd.js';
import { FILE_RET, FILE_TYPES } from './file.js';
import { FDFLAG_TYPES, FDIO_TYPES } from './fdflags.js';
import { IOCTL_TYPES } from './ioctl.js';
import { IO_URING_TYPES } from './io_uring.js';
import { FLAG_TYPES } from './flags.js';
import { IPC_TYPES } from './ipc.js';
import { MSGHDR_TYPES } from './msghdr.js';
import { NETLINK_ARG_TYPES } from './netlink-args.js';
import { MEMORY_RET, MEMORY_TYPES } from './memory.js';
import { MOUNT_TYPES } from './mount.js';
import { POLL_RET, POLL_TYPES } from './poll.js';
import { CRED_TYPES } from './cred.js';
import { PRCTL_RET, PRCTL_TYPES } from './prctl.js';
import { PROCESS_RET, PROCESS_TYPES } from './process.js';
import { RANDOM_TYPES } from './random.js';
import { RESOURCE_RET, RESOURCE_TYPES } from './resource.js';
import { SCALAR_RET, SCALAR_TYPES } from './scalar.js';
import { SIGNAL_RET, SIGNAL_TYPES } from './signal.js';
import { SOCKET_TYPES } from './socket.js';
import { SOCKOPT_TYPES } from './sockopt.js';
import { STAT_TYPES } from './stat.js';
import { SYSTEM_TYPES } from './system.js';
import { TIME_RET, TIME_TYPES } from './time.js';
import { UTIME_TYPES } from './utime.js';
import { XATTR_TYPES } from './xattr.js';

function merge<T>(what: string, ...tables: Record<string, T>[]): Record<string, T> {
  const all: Record<string, T> = {};
  for (const t of tables)
    for (const [name, v] of Object.entries(t)) {
      if (name in all) throw new Error(`${what} ${name} is defined twice`);
      all[name] = v;
    }
  return all;
}

export const ARG_TYPES = merge<ArgType>(
  'argument type',
  SCALAR_TYPES,
  FD_TYPES,
  BUFFER_TYPES,
  FLAG_TYPES,
  SIGNAL_TYPES,
  TIME_TYPES,
  STAT_TYPES,
  SOCKET_TYPES,
  MSGHDR_TYPES,
  NETLINK_ARG_TYPES,
  SOCKOPT_TYPES,
  IPC_TYPES,
  POLL_TYPES,
  PROCESS_TYPES,
  FILE_TYPES,
  MEMORY_TYPES,
  UTIME_TYPES,
  XATTR_TYPES,
  MOUNT_TYPES,
  FCNTL_TYPES,
  IOCTL_TYPES,
  FDFLAG_TYPES,
  FDIO_TYPES,
  IO_URING_TYPES,
  RESOURCE_TYPES,
  CRED_TYPES,
  PRCTL_TYPES,
  RANDOM_TYPES,
  SYSTEM_TYPES,
);

export const RET_TYPES = merge<RetPrinter>(
  'return printer',
  SCALAR_RET,
  FD_RET,
  FILE_RET,
  FCNTL_RET,
  POLL_RET,
  MEMORY_RET,
  SIGNAL_RET,
  TIME_RET,
  PROCESS_RET,
  RESOURCE_RET,
  PRCTL_RET,
);
