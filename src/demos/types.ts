/** A classic mistake as an experiment: a claim, a run on this machine, the result beside it. */
import type { ModelId } from '../lessons/types.js';
import type { Cleanup } from './cleanup.js';

export interface Measurement {
  label: string;
  value: number | string;
  unit?: string;
}

export interface DemoResult {
  id: string;
  /** 'skipped': the machine cannot run it (reason says why and what would make it work). */
  status: 'done' | 'skipped';
  reason?: string;
  claim: string;
  measurements: Measurement[];
  /** Whether the measurement bore out the claim (null: nothing to judge, e.g. skipped, or inconclusive). */
  holds: boolean | null;
  /** Repeated trials disagreed, or their spread straddles the claim: no verdict here (holds is null). */
  inconclusive?: boolean;
  /** One or two sentences: what the numbers say. */
  verdict: string;
  notes: string[];
}

export interface DemoContext {
  /** Everything a demo creates is registered here first and removed, even on SIGINT. */
  cleanup: Cleanup;
  /** Smaller sizes, for tests and `learn`. */
  quick: boolean;
  /** Progress lines (stderr in the CLI, silent with --json). */
  log: (line: string) => void;
}

export interface Demo {
  id: string;
  title: string;
  /** The classic mistake it demonstrates (lessons/mistakes). */
  mistake: string;
  models: ModelId[];
  claim: string;
  run: (ctx: DemoContext) => Promise<Omit<DemoResult, 'id' | 'claim'>>;
}
