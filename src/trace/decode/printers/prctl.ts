/**
 * prctl as strace 6 prints it (its prctl.c): the option by name, then only the arguments that
 * option takes, decoded (PR_SET_NAME's string, PR_GET_* out pointers, PR_SET_PDEATHSIG's signal,
 * PR_CAPBSET_READ's capability...). Options strace decodes in ways not done here print their
 * four arguments in hex, as strace does for options it does not know.
 */
import * as F from '../../flags.js';
import { Cap, type Capture } from '../../records.js';
import { quote } from '../quote.js';
import { hex, pack, type ArgCtx, type ArgType, type RetPrinter } from '../types.js';
import { capText } from './cred.js';
import { signalText } from './signal.js';

export const PRCTL_OPTIONS: F.FlagTable = [
  [1, 'PR_SET_PDEATHSIG'],
  [2, 'PR_GET_PDEATHSIG'],
  [3, 'PR_GET_DUMPABLE'],
  [4, 'PR_SET_DUMPABLE'],
  [5, 'PR_GET_UNALIGN'],
  [6, 'PR_SET_UNALIGN'],
  [7, 'PR_GET_KEEPCAPS'],
  [8, 'PR_SET_KEEPCAPS'],
  [9, 'PR_GET_FPEMU'],
  [10, 'PR_SET_FPEMU'],
  [11, 'PR_GET_FPEXC'],
  [12, 'PR_SET_FPEXC'],
  [13, 'PR_GET_TIMING'],
  [14, 'PR_SET_TIMING'],
  [15, 'PR_SET_NAME'],
  [16, 'PR_GET_NAME'],
  [19, 'PR_GET_ENDIAN'],
  [20, 'PR_SET_ENDIAN'],
  [21, 'PR_GET_SECCOMP'],
  [22, 'PR_SET_SECCOMP'],
  [23, 'PR_CAPBSET_READ'],
  [24, 'PR_CAPBSET_DROP'],
  [25, 'PR_GET_TSC'],
  [26, 'PR_SET_TSC'],
  [27, 'PR_GET_SECUREBITS'],
  [28, 'PR_SET_SECUREBITS'],
  [29, 'PR_SET_TIMERSLACK'],
  [30, 'PR_GET_TIMERSLACK'],
  [31, 'PR_TASK_PERF_EVENTS_DISABLE'],
  [32, 'PR_TASK_PERF_EVENTS_ENABLE'],
  [33, 'PR_MCE_KILL'],
  [34, 'PR_MCE_KILL_GET'],
  [35, 'PR_SET_MM'],
  [36, 'PR_SET_CHILD_SUBREAPER'],
  [37, 'PR_GET_CHILD_SUBREAPER'],
  [38, 'PR_SET_NO_NEW_PRIVS'],
  [39, 'PR_GET_NO_NEW_PRIVS'],
  [40, 'PR_GET_TID_ADDRESS'],
  [41, 'PR_SET_THP_DISABLE'],
  [42, 'PR_GET_THP_DISABLE'],
  [43, 'PR_MPX_ENABLE_MANAGEMENT'],
  [44, 'PR_MPX_DISABLE_MANAGEMENT'],
  [45, 'PR_SET_FP_MODE'],
  [46, 'PR_GET_FP_MODE'],
  [47, 'PR_CAP_AMBIENT'],
  [50, 'PR_SVE_SET_VL'],
  [51, 'PR_SVE_GET_VL'],
  [52, 'PR_GET_SPECULATION_CTRL'],
  [53, 'PR_SET_SPECULATION_CTRL'],
  [54, 'PR_PAC_RESET_KEYS'],
  [55, 'PR_SET_TAGGED_ADDR_CTRL'],
  [56, 'PR_GET_TAGGED_ADDR_CTRL'],
  [57, 'PR_SET_IO_FLUSHER'],
  [58, 'PR_GET_IO_FLUSHER'],
  [59, 'PR_SET_SYSCALL_USER_DISPATCH'],
  [60, 'PR_PAC_SET_ENABLED_KEYS'],
  [61, 'PR_PAC_GET_ENABLED_KEYS'],
  [62, 'PR_SCHED_CORE'],
  [0x53564d41, 'PR_SET_VMA'],
  [0x59616d61, 'PR_SET_PTRACER'],
];

const DUMPABLE: F.FlagTable = [
  [0, 'SUID_DUMP_DISABLE'],
  [1, 'SUID_DUMP_USER'],
  [2, 'SUID_DUMP_ROOT'],
];

const CAP_AMBIENT: F.FlagTable = [
  [1, 'PR_CAP_AMBIENT_IS_SET'],
  [2, 'PR_CAP_AMBIENT_RAISE'],
  [3, 'PR_CAP_AMBIENT_LOWER'],
  [4, 'PR_CAP_AMBIENT_CLEAR_ALL'],
];

const TSC: F.FlagTable = [
  [1, 'PR_TSC_ENABLE'],
  [2, 'PR_TSC_SIGSEGV'],
];

const SECCOMP_MODES: F.FlagTable = [
  [0, 'SECCOMP_MODE_DISABLED'],
  [1, 'SECCOMP_MODE_STRICT'],
  [2, 'SECCOMP_MODE_FILTER'],
];

const MCE_KILL: F.FlagTable = [
  [0, 'PR_MCE_KILL_CLEAR'],
  [1, 'PR_MCE_KILL_SET'],
];

const MCE_KILL_POLICY: F.FlagTable = [
  [0, 'PR_MCE_KILL_LATE'],
  [1, 'PR_MCE_KILL_EARLY'],
  [2, 'PR_MCE_KILL_DEFAULT'],
];

const SET_VMA: F.FlagTable = [[0, 'PR_SET_VMA_ANON_NAME']];

const SPEC_MISFEATURES: F.FlagTable = [
  [0, 'PR_SPEC_STORE_BYPASS'],
  [1, 'PR_SPEC_INDIRECT_BRANCH'],
  [2, 'PR_SPEC_L1D_FLUSH'],
];

const SPEC_FLAGS: F.FlagTable = [
  [1, 'PR_SPEC_PRCTL'],
  [2, 'PR_SPEC_ENABLE'],
  [4, 'PR_SPEC_DISABLE'],
  [8, 'PR_SPEC_FORCE_DISABLE'],
  [16, 'PR_SPEC_DISABLE_NOEXEC'],
];

const TASK_COMM_LEN = 16;

const optionOf = (raw: bigint[]) => Number((raw[0] ?? 0n) & 0xffffffffn);

/** Options whose second argument is an out pointer the kernel fills. */
const OUT_OPTIONS = new Set([2, 9, 11, 16, 19, 25, 37, 40]);

/** C's %#x: 0 stays 0. */
const x = (v: bigint) => (v === 0n ? '0' : hex(v));

/** The arguments after the option in hex, from register `from` on (strace's print_prctl_args). */
const rest = (raw: bigint[], from: number) => [1, 2, 3, 4].filter((i) => i >= from).map((i) => x(raw[i] ?? 0n));

/** A comm name: up to its NUL (at most 15 bytes at entry, 16 at exit), `...` when it has none. */
function commText(c: Capture | undefined, v: bigint, max: number): string {
  if (!c || c.fault) return hex(v);
  const d = c.data.subarray(0, max);
  const nul = d.indexOf(0);
  return nul >= 0 ? quote(d.subarray(0, nul), false) : quote(d, true);
}

/** The decoded arguments after the option, as strace's SYS_FUNC(prctl) prints them. */
function prctlItems(a: Pick<ArgCtx, 'raw' | 'captures' | 'ret' | 'failed'>): string[] {
  const raw = a.raw;
  const arg = (i: number) => raw[i] ?? 0n;
  const u = (i: number) => String(arg(i));
  const entry = a.captures.find((c) => c.arg === 1 && c.phase === 0);
  const exit = a.captures.find((c) => c.arg === 1 && c.phase === 1);
  const out = (render: (d: Buffer) => string, size: number) => {
    if (a.ret === null || a.failed || !exit || exit.fault || exit.data.length < size) return hex(arg(1));
    return render(exit.data);
  };
  const option = optionOf(raw);
  switch (option) {
    case 3: // PR_GET_DUMPABLE
    case 7: // PR_GET_KEEPCAPS
    case 13: // PR_GET_TIMING
    case 21: // PR_GET_SECCOMP
    case 27: // PR_GET_SECUREBITS
    case 30: // PR_GET_TIMERSLACK
    case 31: // PR_TASK_PERF_EVENTS_DISABLE
    case 32: // PR_TASK_PERF_EVENTS_ENABLE
    case 46: // PR_GET_FP_MODE
      return [];
    case 9: // PR_GET_FPEMU
    case 11: // PR_GET_FPEXC
    case 19: // PR_GET_ENDIAN
    case 37: // PR_GET_CHILD_SUBREAPER
      return [out((d) => `[${d.readUInt32LE(0)}]`, 4)];
    case 16: // PR_GET_NAME
      return [a.ret === null || a.failed ? hex(arg(1)) : commText(exit, arg(1), TASK_COMM_LEN)];
    case 2: // PR_GET_PDEATHSIG
      return [out((d) => `[${signalText(d.readInt32LE(0))}]`, 4)];
    case 40: // PR_GET_TID_ADDRESS
      return [out((d) => `[${hex(d.readBigUInt64LE(0))}]`, 8)];
    case 25: // PR_GET_TSC
      return [out((d) => `[${F.renderXlat(d.readInt32LE(0), TSC, 'PR_TSC_???')}]`, 4)];
    case 8: // PR_SET_KEEPCAPS
    case 10: // PR_SET_FPEMU
    case 12: // PR_SET_FPEXC
    case 14: // PR_SET_TIMING
    case 20: // PR_SET_ENDIAN
    case 36: // PR_SET_CHILD_SUBREAPER
      return [u(1)];
    case 4: // PR_SET_DUMPABLE
      return [F.renderXlat(Number(arg(1) & 0xffffffffn), DUMPABLE, 'SUID_DUMP_???')];
    case 23: // PR_CAPBSET_READ
    case 24: // PR_CAPBSET_DROP
      return [capText(arg(1))];
    case 47: {
      // PR_CAP_AMBIENT
      const sub = Number(arg(1) & 0xffffffffn);
      const head = F.renderXlat(sub, CAP_AMBIENT, 'PR_CAP_AMBIENT_???');
      return sub >= 1 && sub <= 3 ? [head, capText(arg(2)), ...rest(raw, 3)] : [head, ...rest(raw, 2)];
    }
    case 33: // PR_MCE_KILL
      return [
        F.renderXlat(Number(arg(1) & 0xffffffffn), MCE_KILL, 'PR_MCE_KILL_???'),
        arg(1) === 1n ? F.renderXlat(Number(arg(2) & 0xffffffffn), MCE_KILL_POLICY, 'PR_MCE_KILL_???') : x(arg(2)),
        ...rest(raw, 3),
      ];
    case 15: // PR_SET_NAME
      return [arg(1) === 0n ? 'NULL' : commText(entry, arg(1), TASK_COMM_LEN - 1)];
    case 1: // PR_SET_PDEATHSIG
      return [arg(1) > 128n ? u(1) : signalText(Number(arg(1)))];
    case 0x59616d61: // PR_SET_PTRACER
      return [Number(arg(1) & 0xffffffffn) === 0xffffffff ? 'PR_SET_PTRACER_ANY' : u(1)];
    case 22: {
      // PR_SET_SECCOMP: a filter program is not decoded here (strace prints its instructions)
      const mode = Number(arg(1) & 0xffffffffn);
      if (mode === 1) return [F.renderXlat(mode, SECCOMP_MODES, 'SECCOMP_MODE_???')];
      return rest(raw, 1);
    }
    case 52: // PR_GET_SPECULATION_CTRL
      return [F.renderXlat(Number(arg(1) & 0xffffffffn), SPEC_MISFEATURES, 'PR_SPEC_???')];
    case 29: // PR_SET_TIMERSLACK
      return [String(BigInt.asIntN(64, arg(1)))];
    case 26: // PR_SET_TSC
      return [F.renderXlat(Number(arg(1) & 0xffffffffn), TSC, 'PR_TSC_???')];
    case 38: // PR_SET_NO_NEW_PRIVS
    case 41: // PR_SET_THP_DISABLE
      return [u(1), ...rest(raw, 2)];
    case 0x53564d41: {
      // PR_SET_VMA
      const sub = Number(arg(1) & 0xffffffffn);
      if (sub !== 0) return [F.renderXlat(sub, SET_VMA, 'PR_SET_VMA_???'), ...rest(raw, 2)];
      const name = a.captures.find((c) => c.arg === 4 && c.phase === 0 && !c.fault);
      const str = arg(4) === 0n ? 'NULL' : name ? quote(name.data, name.truncated) : hex(arg(4));
      return ['PR_SET_VMA_ANON_NAME', arg(2) === 0n ? 'NULL' : hex(arg(2)), u(3), str];
    }
    default:
      return rest(raw, 1);
  }
}

export const prctlShown = (raw: bigint[]): number =>
  1 + prctlItems({ raw, captures: [], ret: null, failed: false }).length;

export const PRCTL_TYPES: Record<string, ArgType> = {
  /** The option; its value also goes to the exit record, for the return printer. */
  prctl_option: {
    capture: () => pack(Cap.argExit, 0, 0),
    render: (a) => F.renderXlat(optionOf(a.raw), PRCTL_OPTIONS, 'PR_???'),
  },
  /**
   * Arguments 2..5. Slot 1 reads 16 bytes at entry and exit whatever the option (a read of a
   * number that is no address just fails): the name PR_SET_NAME sets, what PR_GET_* wrote.
   */
  prctl_arg: {
    capture: (p) => (p === 1 ? pack(Cap.structInOut, 0, TASK_COMM_LEN) : p === 4 ? pack(Cap.str, 0, 0) : 0),
    output: (call) => OUT_OPTIONS.has(optionOf(call.raw)),
    render: (a) => prctlItems(a)[a.i - 1] ?? '',
  },
};

/** Options whose return value strace names: PR_GET_DUMPABLE's SUID_DUMP_*, PR_MCE_KILL_GET's policy. */
const NAMED_RETURNS: Record<number, F.FlagTable> = { 3: DUMPABLE, 34: MCE_KILL_POLICY };

export const PRCTL_RET: Record<string, RetPrinter> = {
  prctl: (ret, a) => {
    const c = a.captures.find((x) => x.kind === Cap.argExit && x.arg === 0 && x.data.length >= 8);
    const option = c ? Number(c.data.readBigUInt64LE(0) & 0xffffffffn) : -1;
    // PR_GET_SPECULATION_CTRL: the state's flags, in hex (`0x2 (PR_SPEC_ENABLE)`).
    if (option === 52 && ret > 0n) return `${hex(ret)} (${F.renderFlags(ret, SPEC_FLAGS)})`;
    const table = NAMED_RETURNS[option];
    const name = table?.find(([v]) => BigInt(v) === ret)?.[1];
    return name ? `${ret} (${name})` : String(ret);
  },
};
