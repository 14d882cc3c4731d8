/**
 * Where `oslens trace` writes, for both engines (ptrace in trace.ts, eBPF in trace-ebpf.ts):
 * lines to stderr or -o FILE; with --json, records to stdout (or FILE), one per line; the
 * summary as the -c table or, with --json, a last `{ "type": "summary" }` record.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { renderSummary } from '../trace/summary-table.js';
import type { TraceRecord } from '../trace/types.js';
import { UserError } from '../util/errors.js';

export interface SummaryRow {
  name: string;
  /** The syscall number: strace orders rows of equal time by it. */
  nr?: number;
  calls: number;
  errors: number;
  seconds: number;
  /** ptrace engine: system CPU time (JSON `systemSeconds`). */
  systemSeconds?: number;
  model?: string;
}

export interface TraceOutput {
  /** Lines (strings) and records (JSON Lines; trace --lib has records of its own). */
  write(items: readonly (string | TraceRecord | object)[]): void;
  /** The -c table, or with --json the summary record (with `lost`: records the engine dropped). */
  summary(rows: SummaryRow[], withModel: boolean, lost?: number): void;
  /** Ends -o FILE and lets stdout drain. */
  close(): Promise<void>;
}

export async function openTraceOutput(flags: { output?: string; json?: boolean }): Promise<TraceOutput> {
  const json = Boolean(flags.json);
  let out: WriteStream | NodeJS.WriteStream = process.stderr;
  if (flags.output) {
    const file = createWriteStream(flags.output);
    await new Promise<void>((resolve, reject) => {
      file.once('open', () => resolve());
      file.once('error', (e) => reject(new UserError(`cannot write ${flags.output}: ${e.message}`)));
    });
    out = file;
  }
  const write = (items: readonly (string | TraceRecord | object)[]) => {
    if (items.length === 0) return;
    const text = items.map((i) => (typeof i === 'string' ? i : JSON.stringify(i))).join('\n') + '\n';
    (json && !flags.output ? process.stdout : out).write(text);
  };
  return {
    write,
    summary(rows, withModel, lost = 0) {
      if (json)
        write([
          {
            type: 'summary',
            syscalls: rows.map(({ name, calls, errors, seconds, systemSeconds }) =>
              systemSeconds === undefined
                ? { name, calls, errors, seconds }
                : { name, calls, errors, seconds, systemSeconds },
            ),
            lost,
          },
        ]);
      else out.write(renderSummary(rows, withModel));
    },
    async close() {
      await new Promise<void>((resolve) => (out === process.stderr ? resolve() : (out as WriteStream).end(resolve)));
      await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
    },
  };
}
