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

/**
 * Runs `body` with cleanup guaranteed on return, throw, SIGINT and SIGTERM. On a signal the
 * cleanup runs and the process exits with 128+signo, as a shell would report it.
 */
export async function withCleanup<T>(body: (cleanup: Cleanup) => Promise<T>): Promise<T> {
  const cleanup = new Cleanup();
  const onSignal = (sig: NodeJS.Signals): void => {
    cleanup.runAll();
    process.stderr.write(`oslens: interrupted (${sig}); demo cleaned up\n`);
    process.exit(sig === 'SIGINT' ? 130 : 143);
  };
  const onExit = (): void => cleanup.runAll();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', onExit);
  try {
    return await body(cleanup);
  } finally {
    // A demo is mostly synchronous (spawnSync): a Ctrl-C that came meanwhile is still queued in
    // the event loop. Let it be delivered to onSignal (exit 130) before the handler goes.
    await new Promise((r) => setImmediate(r));
    cleanup.runAll();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', onExit);
  }
}
