/**
 * The facts about a host that explain its figures: the clock the vDSO reads, the CPU mitigations
 * a syscall pays for, the hypervisor, THP, the CPU's clock, the preemption model, the disk under
 * the file benchmarks and the kernel command line options that change any of these. Pure parsers
 * (text in, fact out) and thin readers that say null when a file is missing.
 */
import { readFileSync, readdirSync, realpathSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';

export interface Clocksource {
  current: string;
  available: string[];
  /** Whether the vDSO can read this clock in user space (tsc, kvm-clock, hyperv): else every clock_gettime is a syscall. */
  vdsoCapable: boolean;
}

export interface Hypervisor {
  /** The CPU says it runs under a hypervisor (the "hypervisor" flag of /proc/cpuinfo). */
  guest: boolean;
  /** KVM, Xen, Hyper-V, VMware, ... or null when bare metal or not recognised. */
  vendor: string | null;
  /** Where the vendor was read (DMI, /sys/hypervisor, the clocksources offered). */
  evidence: string | null;
}

export interface CpuFrequency {
  /** cpufreq governor of cpu0 (null: no cpufreq driver, common in VMs). */
  governor: string | null;
  driver: string | null;
  /** Current MHz: scaling_cur_freq, else /proc/cpuinfo "cpu MHz". */
  mhz: number | null;
  minMhz: number | null;
  maxMhz: number | null;
}

export interface DiskFacts {
  /** The directory the file benchmarks wrote in. */
  dir: string;
  fsType: string | null;
  /** The block device (whole disk) under it, e.g. "nvme0n1", "vda"; null for tmpfs/overlay without one. */
  device: string | null;
  model: string | null;
  rotational: boolean | null;
  scheduler: string | null;
}

export interface Preemption {
  /** none, voluntary, full, lazy, rt, or null when unknown. */
  model: string | null;
  /** debugfs sched/preempt, the preempt= option, the kernel config or uname -v. */
  source: string;
}

export interface HostFacts {
  clocksource: Clocksource | null;
  /** /sys/devices/system/cpu/vulnerabilities: name → the kernel's one-line state. */
  mitigations: Record<string, string>;
  hypervisor: Hypervisor;
  /** Transparent huge pages: the bracketed modes of enabled and defrag. */
  thp: { enabled: string | null; defrag: string | null };
  cpufreq: CpuFrequency;
  preemption: Preemption;
  /** Command line options that change a figure (mitigations=, nohz..., isolcpus=, preempt=, ...). */
  cmdline: string[];
}

/** "always [madvise] never" → "madvise". */
export function bracketed(text: string): string | null {
  return /\[([^\]]+)\]/.exec(text)?.[1] ?? null;
}

const VDSO_CLOCKS = new Set([
  'tsc',
  'kvm-clock',
  'hyperv_clocksource_tsc_page',
  'arch_sys_counter',
  'riscv_clocksource',
]);

export function parseClocksource(current: string, available: string): Clocksource {
  const c = current.trim();
  return { current: c, available: available.trim().split(/\s+/).filter(Boolean), vdsoCapable: VDSO_CLOCKS.has(c) };
}

/** Options that change what a benchmark measures; the rest of the command line is left out. */
const CMDLINE_KEYS = [
  /^mitigations=/,
  /^no(pti|spectre_v[12]|smt|_hz|hz)$/,
  /^(pti|spectre_v2|spectre_v2_user|spec_store_bypass_disable|retbleed|spec_rstack_overflow|mds|tsx|tsx_async_abort|l1tf|mmio_stale_data|gather_data_sampling|reg_file_data_sampling|indirect_target_selection|tsa|vmscape)=/,
  /^nohz(_full)?=/,
  /^(isolcpus|rcu_nocbs|irqaffinity|nosmt)(=|$)/,
  /^(preempt|threadirqs|skew_tick)(=|$)/,
  /^(clocksource|tsc|hpet)=/,
  /^(idle|intel_idle\.max_cstate|processor\.max_cstate|intel_pstate|amd_pstate|cpuidle\.off|cpuidle_haltpoll\.force|haltpoll\.[\w.]+)=/,
  /^(transparent_hugepage|hugepages|hugepagesz|default_hugepagesz)=/,
  /^(init_on_alloc|init_on_free|page_reporting\.[\w.]+|audit)=/,
];

/** The kernel's own options (before a "--", after which they go to init) that matter here. */
export function parseCmdline(text: string): string[] {
  const kernelPart = text.split(/\s--(\s|$)/)[0] ?? '';
  return kernelPart
    .trim()
    .split(/\s+/)
    .filter((t) => CMDLINE_KEYS.some((k) => k.test(t)));
}

/** uname -v ("#1 SMP PREEMPT_DYNAMIC ...", "PREEMPT_RT", "PREEMPT") → what it says, if anything. */
export function preemptionFromVersion(version: string): string | null {
  if (/\bPREEMPT_RT\b/.test(version)) return 'rt';
  if (/\bPREEMPT_LAZY\b/.test(version)) return 'lazy';
  if (/\bPREEMPT_DYNAMIC\b/.test(version)) return 'dynamic';
  if (/\bPREEMPT\b/.test(version)) return 'full';
  return null;
}

/** The default a PREEMPT_DYNAMIC kernel boots with, from its config (CONFIG_PREEMPT_NONE=y...). */
export function preemptionFromConfig(config: string): string | null {
  if (/^CONFIG_PREEMPT_RT=y/m.test(config)) return 'rt';
  if (/^CONFIG_PREEMPT_LAZY=y/m.test(config)) return 'lazy';
  if (/^CONFIG_PREEMPT=y/m.test(config)) return 'full';
  if (/^CONFIG_PREEMPT_VOLUNTARY=y/m.test(config)) return 'voluntary';
  if (/^CONFIG_PREEMPT_NONE=y/m.test(config)) return 'none';
  return null;
}

/** "none voluntary (full) lazy" (debugfs sched/preempt) → "full". */
export function preemptionFromDebugfs(text: string): string | null {
  return /\(([a-z]+)\)/.exec(text)?.[1] ?? null;
}

/** DMI vendor / product strings → a hypervisor name, or null. */
export function hypervisorFromDmi(vendor: string, product: string): string | null {
  const s = `${vendor} ${product}`;
  const known: [RegExp, string][] = [
    [/QEMU|KVM|Firecracker/i, 'KVM'],
    [/VMware/i, 'VMware'],
    [/Microsoft Corporation|Hyper-V/i, 'Hyper-V'],
    [/Xen/i, 'Xen'],
    [/innotek|VirtualBox/i, 'VirtualBox'],
    [/Amazon EC2/i, 'KVM (Amazon EC2)'],
    [/Google Compute Engine/i, 'KVM (Google Compute Engine)'],
    [/Parallels/i, 'Parallels'],
  ];
  return known.find(([re]) => re.test(s))?.[1] ?? null;
}

function read(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

function readNumber(file: string): number | null {
  const t = read(file);
  const n = t === null ? Number.NaN : Number(t.trim());
  return Number.isFinite(n) ? n : null;
}

export function readMitigations(dir = '/sys/devices/system/cpu/vulnerabilities'): Record<string, string> {
  const out: Record<string, string> = {};
  try {
    for (const name of readdirSync(dir).sort()) {
      const t = read(join(dir, name));
      if (t !== null) out[name] = t.trim();
    }
  } catch {
    // no such directory (old kernel, non-x86 without the files): no facts
  }
  return out;
}

function readHypervisor(cpuinfo: string, clock: Clocksource | null): Hypervisor {
  const guest = /^flags\s*:.*\bhypervisor\b/m.test(cpuinfo);
  if (!guest) return { guest: false, vendor: null, evidence: null };
  const xen = read('/sys/hypervisor/type')?.trim();
  if (xen) return { guest, vendor: xen === 'xen' ? 'Xen' : xen, evidence: '/sys/hypervisor/type' };
  const dmi = hypervisorFromDmi(
    read('/sys/class/dmi/id/sys_vendor')?.trim() ?? '',
    read('/sys/class/dmi/id/product_name')?.trim() ?? '',
  );
  if (dmi) return { guest, vendor: dmi, evidence: 'DMI sys_vendor/product_name' };
  const offered = clock?.available ?? [];
  if (offered.includes('kvm-clock')) return { guest, vendor: 'KVM', evidence: 'the kvm-clock clocksource' };
  if (offered.some((c) => c.startsWith('hyperv')))
    return { guest, vendor: 'Hyper-V', evidence: 'the hyperv clocksource' };
  if (offered.includes('xen')) return { guest, vendor: 'Xen', evidence: 'the xen clocksource' };
  return { guest, vendor: null, evidence: null };
}

function readCpufreq(cpuinfo: string): CpuFrequency {
  const dir = '/sys/devices/system/cpu/cpu0/cpufreq';
  const khz = (f: string) => {
    const n = readNumber(join(dir, f));
    return n === null ? null : Math.round(n / 1000);
  };
  const fromCpuinfo = /^cpu MHz\s*:\s*([\d.]+)/m.exec(cpuinfo)?.[1];
  return {
    governor: read(join(dir, 'scaling_governor'))?.trim() ?? null,
    driver: read(join(dir, 'scaling_driver'))?.trim() ?? null,
    mhz: khz('scaling_cur_freq') ?? (fromCpuinfo ? Math.round(Number(fromCpuinfo)) : null),
    minMhz: khz('scaling_min_freq'),
    maxMhz: khz('scaling_max_freq'),
  };
}

function readPreemption(cmdline: string): Preemption {
  const debugfs = read('/sys/kernel/debug/sched/preempt');
  const fromDebugfs = debugfs === null ? null : preemptionFromDebugfs(debugfs);
  if (fromDebugfs) return { model: fromDebugfs, source: 'debugfs sched/preempt' };
  const version = read('/proc/sys/kernel/version') ?? '';
  const built = preemptionFromVersion(version);
  const option = /(?:^|\s)preempt=(\w+)/.exec(cmdline.split(/\s--(\s|$)/)[0] ?? '')?.[1];
  if (option && built === 'dynamic') return { model: option, source: 'the preempt= option (PREEMPT_DYNAMIC kernel)' };
  if (built && built !== 'dynamic') return { model: built, source: 'uname -v' };
  const config = read('/boot/config-' + (read('/proc/sys/kernel/osrelease')?.trim() ?? '')) ?? readConfigGz();
  const fromConfig = config === null ? null : preemptionFromConfig(config);
  if (fromConfig)
    return {
      model: fromConfig,
      source: built === 'dynamic' ? 'the PREEMPT_DYNAMIC default in the kernel config' : 'the kernel config',
    };
  return {
    model: built === 'dynamic' ? null : built,
    source: built ? 'uname -v (PREEMPT_DYNAMIC, mode not readable)' : 'unknown',
  };
}

/** /proc/config.gz, when the kernel was built with IKCONFIG_PROC. */
function readConfigGz(): string | null {
  try {
    return gunzipSync(readFileSync('/proc/config.gz')).toString('utf8');
  } catch {
    return null;
  }
}

/** The whole disk behind "major:minor" (a partition's parent), from /sys/dev/block. */
function wholeDisk(majorMinor: string): string | null {
  try {
    const dev = realpathSync(`/sys/dev/block/${majorMinor}`);
    // a partition's directory holds a "partition" file and sits inside its disk's directory
    return read(join(dev, 'partition')) !== null ? basename(join(dev, '..')) : basename(dev);
  } catch {
    return null;
  }
}

export interface MountEntry {
  point: string;
  majorMinor: string;
  fsType: string;
}

/** The mount holding `dir`: the longest mount point that contains it in /proc/self/mountinfo text. */
export function mountOf(dir: string, mountinfo: string): MountEntry | null {
  let best: MountEntry | null = null;
  for (const line of mountinfo.split('\n')) {
    const [left, right] = line.split(' - ');
    const fields = left?.split(' ') ?? [];
    const majorMinor = fields[2];
    // mountinfo escapes space, tab, newline and backslash as octal
    const point = fields[4]?.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    const fsType = right?.split(' ')[0];
    if (!point || !fsType || !majorMinor) continue;
    const inside = point === '/' || dir === point || dir.startsWith(point + '/');
    if (inside && (!best || point.length >= best.point.length)) best = { point, majorMinor, fsType };
  }
  return best;
}

export function readDiskFacts(dir: string): DiskFacts {
  let real = dir;
  try {
    real = realpathSync(dir);
  } catch {
    // keep the name given
  }
  const mount = mountOf(real, read('/proc/self/mountinfo') ?? '');
  // major 0: tmpfs, overlay, proc... no block device behind it
  const device = mount && !mount.majorMinor.startsWith('0:') ? wholeDisk(mount.majorMinor) : null;
  const q = (f: string) => (device ? (read(`/sys/block/${device}/${f}`)?.trim() ?? null) : null);
  const rota = q('queue/rotational');
  const sched = q('queue/scheduler');
  return {
    dir,
    fsType: mount?.fsType ?? null,
    device,
    model: q('device/model') || null,
    rotational: rota === null ? null : rota === '1',
    scheduler: sched === null ? null : (bracketed(sched) ?? sched),
  };
}

export function readHostFacts(): HostFacts {
  const cpuinfo = read('/proc/cpuinfo') ?? '';
  const cmdline = read('/proc/cmdline') ?? '';
  const cs = '/sys/devices/system/clocksource/clocksource0';
  const current = read(`${cs}/current_clocksource`);
  const clocksource =
    current === null ? null : parseClocksource(current, read(`${cs}/available_clocksource`) ?? current);
  const thpDir = '/sys/kernel/mm/transparent_hugepage';
  const mode = (f: string) => {
    const t = read(`${thpDir}/${f}`);
    return t === null ? null : bracketed(t);
  };
  return {
    clocksource,
    mitigations: readMitigations(),
    hypervisor: readHypervisor(cpuinfo, clocksource),
    thp: { enabled: mode('enabled'), defrag: mode('defrag') },
    cpufreq: readCpufreq(cpuinfo),
    preemption: readPreemption(cmdline),
    cmdline: parseCmdline(cmdline),
  };
}

/** The mitigations the kernel applies (not "Not affected"), the ones a syscall entry or exit pays for first. */
export function activeMitigations(m: Record<string, string>): string[] {
  return Object.entries(m)
    .filter(([, v]) => !/^Not affected/.test(v))
    .map(([k, v]) => `${k}: ${v}`);
}

/** "Mitigation: Retpolines; STIBP: disabled; ..." → "Retpolines" (the method, first clause). */
function mitigationMethod(state: string): string {
  return (
    state
      .replace(/^Mitigation:\s*/, '')
      .split(/[;,]/)[0]
      ?.trim() ?? state
  );
}

/** The facts as short lines for a text header: the ones that explain figures first. */
export function hostFactLines(h: Partial<HostFacts> & { disk?: DiskFacts }): string[] {
  const parts: string[] = [];
  if (h.clocksource) {
    const others = h.clocksource.available.filter((c) => c !== h.clocksource!.current);
    parts.push(
      `clocksource ${h.clocksource.current}` +
        (h.clocksource.vdsoCapable ? '' : ' (not readable by the vDSO: clock_gettime is a syscall)') +
        (others.length > 0 ? ` (also ${others.join(', ')})` : ''),
    );
  }
  if (h.hypervisor)
    parts.push(h.hypervisor.guest ? `${h.hypervisor.vendor ?? 'unknown hypervisor'} guest` : 'bare metal');
  if (h.thp?.enabled) parts.push(`THP ${h.thp.enabled} (defrag ${h.thp.defrag ?? '?'})`);
  if (h.cpufreq) {
    const f = h.cpufreq;
    const mhz = f.mhz !== null ? `${f.mhz} MHz` : 'MHz unknown';
    parts.push(
      f.governor ? `${mhz}, governor ${f.governor}${f.driver ? ` (${f.driver})` : ''}` : `${mhz}, no cpufreq governor`,
    );
  }
  if (h.preemption) parts.push(`preemption ${h.preemption.model ?? 'unknown'}`);
  if (h.disk) {
    const d = h.disk;
    const what = d.device
      ? `${d.device}${d.model ? ` ${d.model}` : ''}, ${d.fsType ?? '?'}, ${d.rotational ? 'rotational' : 'non-rotational'}${d.scheduler ? `, ${d.scheduler}` : ''}`
      : `no block device (${d.fsType ?? 'unknown fs'})`;
    parts.push(`disk under ${d.dir}: ${what}`);
  }
  const lines = parts.length > 0 ? [parts.join(' · ')] : [];
  if (h.mitigations && Object.keys(h.mitigations).length > 0) {
    const applied: string[] = [];
    const vulnerable: string[] = [];
    for (const [name, state] of Object.entries(h.mitigations)) {
      if (/^Mitigation/.test(state)) applied.push(`${name} (${mitigationMethod(state)})`);
      else if (/^Vulnerable/.test(state)) vulnerable.push(name);
    }
    lines.push(
      `CPU mitigations: ${applied.length > 0 ? applied.join(', ') : 'none applied'}` +
        (vulnerable.length > 0 ? `; vulnerable: ${vulnerable.join(', ')}` : ''),
    );
  }
  if (h.cmdline && h.cmdline.length > 0) lines.push(`kernel options: ${h.cmdline.join(' ')}`);
  return lines;
}

/**
 * The facts that explain a model's figures, as sentences for its lesson (oslens learn MODEL):
 * the clock behind the vDSO ratio, the mitigations behind a syscall's price, THP behind the TLB
 * figures, the preemption model and hypervisor behind wakeups, the disk behind fsync.
 */
export function factsForModel(model: string, h: Partial<HostFacts> & { disk?: DiskFacts }): string[] {
  const out: string[] = [];
  const guest = h.hypervisor?.guest ? `${h.hypervisor.vendor ?? 'a hypervisor'} guest` : null;
  if (model === 'syscall-boundary') {
    if (h.clocksource)
      out.push(
        h.clocksource.vdsoCapable
          ? `clocksource ${h.clocksource.current}: the vDSO reads it in user space (rdtsc${h.clocksource.current === 'kvm-clock' ? ' scaled by a page the hypervisor updates' : ''}), so clock-vdso skips the kernel entry clock-syscall pays.`
          : `clocksource ${h.clocksource.current}: the vDSO cannot read it from user space and falls back to the syscall, so clock-vdso costs about what clock-syscall does.`,
      );
    if (h.mitigations) {
      const applied = Object.entries(h.mitigations).filter(([, v]) => /^Mitigation/.test(v));
      if (applied.length > 0)
        out.push(
          `CPU mitigations in force: ${applied.map(([k, v]) => `${k} (${mitigationMethod(v)})`).join(', ')}: part of every kernel entry and exit${h.cmdline?.some((o) => o.startsWith('mitigations=')) ? ` (${h.cmdline.find((o) => o.startsWith('mitigations='))})` : ''}.`,
        );
    }
  }
  if ((model === 'page-table-tlb' || model === 'virtual-memory') && h.thp?.enabled)
    out.push(
      `THP is "${h.thp.enabled}" (defrag "${h.thp.defrag ?? '?'}"): ${h.thp.enabled === 'always' ? 'anonymous memory may get 2 MiB pages unasked' : h.thp.enabled === 'madvise' ? 'only ranges that ask with madvise(MADV_HUGEPAGE) get 2 MiB pages' : 'no transparent 2 MiB pages'}.`,
    );
  if (model === 'scheduling') {
    if (h.preemption?.model) out.push(`preemption model: ${h.preemption.model} (${h.preemption.source}).`);
    const tick = h.cmdline?.filter((o) => /^(nohz|isolcpus|rcu_nocbs|idle|cpuidle|haltpoll)/.test(o)) ?? [];
    if (tick.length > 0) out.push(`kernel options that change wakeups: ${tick.join(' ')}.`);
    if (guest) out.push(`a ${guest}: a wakeup waits for the host to run the vCPU too (steal time).`);
    if (h.cpufreq?.governor) out.push(`cpufreq governor ${h.cpufreq.governor}: a CPU waking from idle may start slow.`);
  }
  if (model === 'page-cache' && h.disk)
    out.push(
      h.disk.device
        ? `the disk under ${h.disk.dir}: ${h.disk.device}${h.disk.model ? ` (${h.disk.model})` : ''}, ${h.disk.fsType ?? '?'}${guest ? `, a virtual disk of a ${guest} (fsync ends in the host's cache or storage)` : ''}.`
        : `${h.disk.dir} has no block device (${h.disk.fsType ?? '?'}): fsync has nothing to wait for.`,
    );
  return out;
}
