/**
 * What the eBPF commands share in the CLI: the capability check up front, signals handled from
 * the first instant, --verbose printing the libbpf/verifier log on failure, the exit status
 * (the command's, 130 when interrupted), and --buffer.
 */
import { libbpfLog } from '../native/libbpf.js';
import { closeAllSessions } from '../ebpf/loader.js';
import { requireBpf } from '../ebpf/caps.js';
import { installSignalHandlers } from '../ebpf/target.js';
import { ExitCode, UserError } from '../util/errors.js';

/** A count option (--top, --regions): a whole number from `min`, else a usage error (2). */
export function countOption(text: string, what: string, min = 1): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < min || Number(text) > 1_000_000) {
    throw new UserError(`${what}: "${text}" must be a whole number from ${min} to 1000000`, ExitCode.usage);
  }
  return Number(text);
}

export async function runEbpfCommand(
  flags: { verbose?: boolean },
  tool: string,
  run: () => Promise<number>,
): Promise<void> {
  // Before anything runs (a `-- CMD` would be spawned first): one line naming what is missing.
  requireBpf(tool);
  installSignalHandlers();
  let code: number;
  try {
    code = await run();
  } catch (err) {
    closeAllSessions();
    if (flags.verbose) {
      const log = libbpfLog();
      if (log.length > 0) process.stderr.write(`${log.join('\n')}\n`);
    }
    throw err;
  }
  closeAllSessions();
  // Let stdout drain (a pipe to a slow reader takes a while), then exit with the status.
  await new Promise<void>((r) => process.stdout.write('', () => r()));
  process.exit(code);
}

/** `--buffer SIZE`: bytes (K, M, G suffixes), rounded up to a power of 2, at least one page. */
export function parseBufferSize(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const m = /^(\d+)([kmg]?)i?b?$/i.exec(text.trim());
  const mult = { '': 1, k: 1 << 10, m: 1 << 20, g: 1 << 30 }[(m?.[2] ?? '').toLowerCase()] ?? 1;
  const bytes = m ? Number(m[1]) * mult : NaN;
  if (!Number.isFinite(bytes) || bytes <= 0 || bytes > 2 ** 31) {
    throw new UserError(`--buffer: expected a size like 64M (up to 2G), got "${text}"`, ExitCode.usage);
  }
  let size = 4096;
  while (size < bytes) size *= 2;
  return size;
}
