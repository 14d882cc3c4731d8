/** What the eBPF commands share in the CLI: --verbose prints the libbpf/verifier log on failure. */
import { libbpfLog } from '../native/libbpf.js';
import { closeAllSessions } from '../ebpf/loader.js';

export async function printVerboseLog(
  flags: { verbose?: boolean },
  _tool: string,
  run: () => Promise<void>,
): Promise<void> {
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
