/**
 * What the eBPF commands share in the CLI: the capability check up front, and --verbose printing
 * the libbpf/verifier log on failure.
 */
import { libbpfLog } from '../native/libbpf.js';
import { closeAllSessions } from '../ebpf/loader.js';
import { requireBpf } from '../ebpf/caps.js';

export async function printVerboseLog(
  flags: { verbose?: boolean },
  tool: string,
  run: () => Promise<void>,
): Promise<void> {
  // Before anything runs (a `-- CMD` would be spawned first): one line naming what is missing.
  requireBpf(tool);
  try {
    await run();
  } catch (err) {
    closeAllSessions();
    if (flags.verbose) {
      const log = libbpfLog();
      if (log.length > 0) process.stderr.write(`${log.join('\n')}\n`);
    }
    throw err;
  }
}
