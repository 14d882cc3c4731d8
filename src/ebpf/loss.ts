/**
 * Loss reports of a streaming session: every program counts in kernel what its ring buffer had
 * no room for (common.h, `lost`); this prints "<tool>: lost N events" on stderr each time that
 * grows (checked twice a second and at the end) and keeps the total for the JSON summary.
 */
import type { BpfSession } from './loader.js';

export class LossReporter {
  private reported = 0;
  private timer: NodeJS.Timeout;

  constructor(
    private readonly session: BpfSession,
    private readonly tool: string,
    private readonly quiet = false,
    everyMs = 500,
  ) {
    this.timer = setInterval(() => this.check(), everyMs);
    this.timer.unref();
  }

  /** Reports what was lost since the last check; returns the total so far. */
  check(): number {
    const total = this.session.lost();
    if (total > this.reported) {
      const n = total - this.reported;
      if (!this.quiet) {
        process.stderr.write(
          `${this.tool}: lost ${n} event${n === 1 ? '' : 's'} (ring buffer full; --buffer enlarges it)\n`,
        );
      }
      this.reported = total;
    }
    return this.reported;
  }

  /** The final check (call it after the last drain); stops the timer. */
  stop(): number {
    clearInterval(this.timer);
    return this.check();
  }
}
