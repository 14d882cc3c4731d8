/** Every syscall spec, merged from the family files. A name in two families is a bug. */
import type { Spec } from '../types.js';
import { CRED_SPECS } from './cred.js';
import { FD_SPECS } from './fd.js';
import { FILE_SPECS } from './file.js';
import { IO_SPECS } from './io.js';
import { IPC_SPECS } from './ipc.js';
import { MEMORY_SPECS } from './memory.js';
import { NET_SPECS } from './net.js';
import { PROCESS_SPECS } from './process.js';
import { SIGNAL_SPECS } from './signal.js';
import { TIME_SPECS } from './time.js';

function merge(...families: Record<string, Spec>[]): Record<string, Spec> {
  const all: Record<string, Spec> = {};
  for (const f of families)
    for (const [name, spec] of Object.entries(f)) {
      if (name in all) throw new Error(`syscall spec ${name} is defined twice`);
      all[name] = spec;
    }
  return all;
}

export const SPECS = merge(
  FILE_SPECS,
  MEMORY_SPECS,
  PROCESS_SPECS,
  SIGNAL_SPECS,
  TIME_SPECS,
  NET_SPECS,
  IO_SPECS,
  FD_SPECS,
  IPC_SPECS,
  CRED_SPECS,
);
