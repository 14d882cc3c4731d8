/** Which filesystem a path lives on, from /proc/self/mountinfo (pure parser + thin reader). */
import { readFileSync } from 'node:fs';

export interface MountEntry {
  mountPoint: string;
  fsType: string;
  source: string;
  superOptions: string;
}

/** mountinfo: `id parent maj:min root mountpoint opts [optional...] - fstype source superopts`. */
export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const l = left.split(' ');
    const r = right.split(' ');
    const unescape = (s: string): string =>
      s.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    out.push({ mountPoint: unescape(l[4] ?? ''), fsType: r[0] ?? '', source: r[1] ?? '', superOptions: r[2] ?? '' });
  }
  return out;
}

/** The mount a path is on: the last-mounted entry whose mount point is the longest prefix. */
export function mountOf(path: string, mounts: MountEntry[]): MountEntry | undefined {
  let best: MountEntry | undefined;
  for (const m of mounts) {
    const mp = m.mountPoint;
    const inside = path === mp || mp === '/' || path.startsWith(mp.endsWith('/') ? mp : `${mp}/`);
    if (inside && (!best || mp.length >= best.mountPoint.length)) best = m;
  }
  return best;
}

export function readMounts(): MountEntry[] {
  return parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8'));
}
