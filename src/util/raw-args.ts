/**
 * The command line and environment as bytes. Node decodes argv and the environment as UTF-8
 * (an invalid byte becomes U+FFFD), so `oslens trace -- ls $'\xe9t\xe9.txt'` would exec ls with
 * another name. The kernel's copies (/proc/self/cmdline, /proc/self/environ) are the bytes as
 * oslens got them; these functions find in them what process.argv and process.env hold.
 */
import { readFileSync } from 'node:fs';
import { splitNul } from '../trace/bytes.js';

function readProc(name: string): Buffer | null {
  try {
    return readFileSync(`/proc/self/${name}`);
  } catch {
    return null;
  }
}

/**
 * The bytes of `command`, the last arguments of oslens's command line (what follows `--`), or
 * the strings themselves when the kernel's copy does not match them (it would not if argv had
 * been rewritten).
 */
export function rawCommand(command: string[]): (string | Buffer)[] {
  const cmdline = readProc('cmdline');
  const all = cmdline ? splitNul(cmdline) : [];
  const tail = all.slice(all.length - command.length);
  if (command.length === 0 || tail.length !== command.length) return command;
  return tail.every((b, i) => b.toString('utf8') === command[i]) ? tail : command;
}

/**
 * The environment for a command, as process.env has it now, with the bytes oslens got for every
 * variable still holding its start-up value: in their start-up order, then those set since.
 * `startup`: the start-up environment when /proc/self/environ is not it (src/util/caller.ts).
 */
export function rawEnvironment(
  env: NodeJS.ProcessEnv = process.env,
  startup: Buffer[] | null = null,
): (string | Buffer)[] {
  const environ = startup ? null : readProc('environ');
  const out: (string | Buffer)[] = [];
  const seen = new Set<string>();
  for (const entry of startup ?? (environ ? splitNul(environ) : [])) {
    const eq = entry.indexOf(0x3d); // '='
    if (eq <= 0) continue;
    const name = entry.subarray(0, eq).toString('utf8');
    const value = env[name];
    if (value === undefined || seen.has(name)) continue; // unset since, or a duplicate
    seen.add(name);
    out.push(entry.subarray(eq + 1).toString('utf8') === value ? entry : `${name}=${value}`);
  }
  for (const [name, value] of Object.entries(env))
    if (!seen.has(name) && value !== undefined) out.push(`${name}=${value}`);
  return out;
}

/** The value of a variable in rawEnvironment()'s result, as bytes. */
export function rawVariable(env: (string | Buffer)[], name: string): Buffer | undefined {
  const prefix = Buffer.from(`${name}=`);
  for (const e of env) {
    const b = typeof e === 'string' ? Buffer.from(e) : e;
    if (b.subarray(0, prefix.length).equals(prefix)) return b.subarray(prefix.length);
  }
  return undefined;
}
