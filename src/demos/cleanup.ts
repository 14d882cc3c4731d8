/**
 * Undo actions for whatever a demo creates (files, mounts, cgroups, children). Synchronous on
 * purpose: they must be able to run from a SIGINT handler or the 'exit' event, where no promise
 * will be awaited. Run last-in first-out, each at most once; a failing step does not stop the rest.
 */
export class Cleanup {
  private readonly steps: Array<{ what: string; undo: () => void }> = [];
  readonly failures: string[] = [];

  add(what: string, undo: () => void): void {
    this.steps.push({ what, undo });
  }

  runAll(): void {
    while (this.steps.length > 0) {
      const step = this.steps.pop()!;
      try {
        step.undo();
      } catch (err) {
        this.failures.push(`${step.what}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  get pending(): number {
    return this.steps.length;
  }
}

// One SIGINT/SIGTERM listener for every running demo. It stays while a demo runs, and for the
// whole `oslens demo` command once held: removing it between two demos would leave a moment in
// which Ctrl-C found no listener and killed oslens outright, cleanup skipped.
const active = new Set<Cleanup>();
let held = false;
let listening = false;

function onSignal(sig: NodeJS.Signals): void {
  for (const c of active) c.runAll();
  process.stderr.write(`oslens: interrupted (${sig}); demo cleaned up\n`);
  process.exit(sig === 'SIGINT' ? 130 : 143);
}
const onExit = (): void => {
  for (const c of active) c.runAll();
};

function listen(on: boolean): void {
  if (on === listening) return;
  listening = on;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) (on ? process.on : process.off).call(process, sig, onSignal);
  (on ? process.on : process.off).call(process, 'exit', onExit);
}

/** Keeps the signal listener for the rest of the process (a command that runs several demos). */
export function holdSignals(): void {
  held = true;
  listen(true);
}

/**
 * Runs `body` with cleanup guaranteed on return, throw, SIGINT and SIGTERM. On a signal the
 * cleanup runs and the process exits with 128+signo, as a shell would report it.
 */
export async function withCleanup<T>(body: (cleanup: Cleanup) => Promise<T>): Promise<T> {
  const cleanup = new Cleanup();
  active.add(cleanup);
  listen(true);
  try {
    return await body(cleanup);
  } finally {
    // A demo is mostly synchronous (spawnSync): a Ctrl-C that came meanwhile is still queued in
    // the event loop. Let it be delivered to onSignal (exit 130) before the cleanup leaves the set.
    await new Promise((r) => setImmediate(r));
    cleanup.runAll();
    active.delete(cleanup);
    if (active.size === 0 && !held) listen(false);
  }
}
