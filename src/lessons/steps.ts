/**
 * Running a lesson's live steps: an oslens command (run as a child, output captured) or a file
 * shown inline. A sleeping "lesson process" stands in for {pid}; it is started on first use and
 * stopped by stopLessonProcess() (and dies with us anyway: it is our child, killed on exit).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { BUILD_DIR } from '../native/addon.js';
import { PACKAGE_ROOT } from '../util/package.js';
import { loadMistakes, loadPaths, loadLiveSteps, type LearnPath, type Mistake, type Step } from './content.js';
import { isModelId, findModel } from './load.js';
import type { Model } from './types.js';

export const OSLENS_BIN = resolve(PACKAGE_ROOT, 'bin/oslens');

/**
 * Commands the lessons name that other parts of oslens are still building (issues 3-6). The
 * content lint accepts them; a step naming one that is not registered says so instead of running.
 */
export const PLANNED_COMMANDS = [
  'trace',
  'syscount',
  'snoop',
  'faults',
  'runqlat',
  'top',
  'watch',
  'ps',
  'inspect',
  'maps',
  'time',
  'why',
  'doctor',
  'caps',
];

export type Lesson =
  | { kind: 'model'; id: string; title: string; summary: string; model: Model; steps: Step[] }
  | { kind: 'path'; id: string; title: string; summary: string; path: LearnPath; steps: Step[] }
  | { kind: 'mistake'; id: string; title: string; summary: string; mistake: Mistake; steps: Step[] };

export function lessonNames(): string[] {
  return [...loadLiveSteps().keys(), ...loadPaths().map((p) => p.id), ...loadMistakes().map((m) => m.id)];
}

export function findLesson(name: string): Lesson | undefined {
  if (isModelId(name)) {
    const model = findModel(name);
    return {
      kind: 'model',
      id: name,
      title: model.title,
      summary: model.summary,
      model,
      steps: loadLiveSteps().get(name) ?? [],
    };
  }
  const path = loadPaths().find((p) => p.id === name);
  if (path) return { kind: 'path', id: path.id, title: path.title, summary: path.summary, path, steps: path.steps };
  const mistake = loadMistakes().find((m) => m.id === name);
  if (mistake) {
    const steps: Step[] = [
      {
        title: mistake.title,
        text: mistake.summary,
        run: `oslens demo ${mistake.demo} --quick`,
        notice: 'The measured result beside the claim.',
      },
    ];
    return { kind: 'mistake', id: mistake.id, title: mistake.title, summary: mistake.summary, mistake, steps };
  }
  return undefined;
}

let lessonProcess: ChildProcess | undefined;

/** "S" once /proc/PID/stat shows `sleep` asleep (not still the forked node, nor running exec). */
function sleepingAs(pid: number, comm: string): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.startsWith(`${pid} (${comm}) S `);
  } catch {
    return false;
  }
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * The PID of a sleeping process for {pid} steps. Waits (up to 2 s) until it really sleeps in
 * nanosleep, so a step that reads its state right away reads S, as its notice says.
 */
export function lessonPid(): number {
  if (!lessonProcess || lessonProcess.exitCode !== null) {
    lessonProcess = spawn('sleep', ['600'], { stdio: 'ignore' });
    process.once('exit', stopLessonProcess);
    const pid = lessonProcess.pid!;
    for (let i = 0; i < 400 && !sleepingAs(pid, 'sleep'); i++) Atomics.wait(pause, 0, 0, 5);
  }
  return lessonProcess.pid!;
}

export function stopLessonProcess(): void {
  if (lessonProcess && lessonProcess.exitCode === null && lessonProcess.signalCode === null)
    lessonProcess.kill('SIGKILL');
  lessonProcess = undefined;
}

/** {pid}: the lesson process; {demohelper}: native/demos/demohelper.c, the C program of some steps. */
function fill(s: string): string {
  const t = s.replaceAll('{demohelper}', resolve(BUILD_DIR, 'oslens-demohelper'));
  return t.includes('{pid}') ? t.replaceAll('{pid}', String(lessonPid())) : t;
}

/** What the step shows, with {pid} filled in (without starting the process when not needed). */
export function stepCommand(step: Step): string | undefined {
  return step.run ?? (step.file ? `cat ${step.file}` : undefined);
}

export interface StepOutput {
  /** The command as run, {pid} filled in. */
  shown: string;
  output: string;
  ok: boolean;
  /** Why it did not run (a command not in this build, a file that cannot be read). */
  unavailable?: string;
}

/** Picks `Key:` lines (or lines starting with a key) from a /proc file. */
export function pickFields(text: string, fields: string[] | undefined): string {
  if (!fields) return text.trimEnd();
  return text
    .split('\n')
    .filter((l) => fields.some((f) => l.startsWith(`${f}:`) || l.startsWith(`${f} `) || l.startsWith(`${f}\t`)))
    .join('\n');
}

/** `columns`: the width the output will be shown at (passed to the command as COLUMNS). */
export async function runStep(
  step: Step,
  registered: readonly string[],
  columns?: number,
): Promise<StepOutput | undefined> {
  if (step.file) {
    const file = fill(step.file);
    try {
      return { shown: `cat ${file}`, output: pickFields(readFileSync(file, 'utf8'), step.fields), ok: true };
    } catch (err) {
      return {
        shown: `cat ${file}`,
        output: '',
        ok: false,
        unavailable: `cannot read ${file}: ${(err as Error).message}`,
      };
    }
  }
  if (!step.run) return undefined;
  const shown = fill(step.run);
  const args = shown.split(/\s+/).slice(1);
  const name = args[0] ?? '';
  if (!registered.includes(name)) {
    return {
      shown,
      output: '',
      ok: false,
      unavailable: `\`oslens ${name}\` is not in this build yet (planned); skipped`,
    };
  }
  return new Promise((done) => {
    const child = spawn(process.execPath, [OSLENS_BIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FORCE_COLOR: '0', ...(columns ? { COLUMNS: String(columns) } : {}) },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const limit = setTimeout(() => child.kill('SIGINT'), (step.timeout ?? 120) * 1000);
    const kill = (): void => {
      child.kill('SIGKILL');
    };
    process.once('exit', kill);
    child.on('close', (code, signal) => {
      clearTimeout(limit);
      process.off('exit', kill);
      // A step stopped by its own timeout (SIGINT) ended the way it was meant to.
      const ok = code === 0 || (step.timeout !== undefined && (signal === 'SIGINT' || code === 130));
      done({ shown, output: out.trimEnd(), ok });
    });
  });
}
