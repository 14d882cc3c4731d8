/** Parsing of user-given quantities. */
import { ExitCode, UserError } from './errors.js';

/** "1G", "512M", "64KiB", "4096" → bytes. */
export function parseSize(text: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?$/i.exec(text.trim());
  if (!m) throw new UserError(`${what}: "${text}" is not a size (examples: 4096, 64K, 512M, 1G)`, ExitCode.usage);
  const mult = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 }[(m[2] ?? '').toUpperCase()] ?? 1;
  return Math.round(Number(m[1]) * mult);
}

/** A positive integer option, or a usage error naming the option. */
export function parsePositiveInt(text: string, what: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < 1 || n > max) {
    throw new UserError(`${what}: "${text}" must be a whole number from 1 to ${max}`, ExitCode.usage);
  }
  return n;
}
