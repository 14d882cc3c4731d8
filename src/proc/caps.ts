/** Capability bits (Linux 6.x, 0..40) → names, for CapEff/CapPrm/CapBnd/... in status. */
import { maskBitNumbers } from './parse.js';

export const CAPABILITY_NAMES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
];

/** The capability names set in a status mask (unknown future bits as cap_N). */
export function decodeCapabilities(hex: string): string[] {
  return maskBitNumbers(hex, 'capability mask').map((n) => CAPABILITY_NAMES[n - 1] ?? `cap_${n - 1}`);
}

/** True when every capability this kernel knows is in the mask (shown as "all" rather than 41 names). */
export function isFullCapabilitySet(hex: string): boolean {
  return decodeCapabilities(hex).filter((c) => c.startsWith('CAP_')).length === CAPABILITY_NAMES.length;
}
