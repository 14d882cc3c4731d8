/** A terminal's name from /proc/PID/stat's tty_nr, as ps prints it. */

/**
 * tty_nr packs the device number the old way: major in bits 8-19, minor in bits 0-7 and 20-31.
 * pts/N (majors 136-143), ttyN and ttySN (major 4), the console "tty" (5:0); '?' for none.
 */
export function ttyName(ttyNr: number): string {
  if (ttyNr === 0) return '?';
  const major = (ttyNr >> 8) & 0xfff;
  const minor = (ttyNr & 0xff) | ((ttyNr >> 12) & 0xfff00);
  if (major >= 136 && major <= 143) return `pts/${(major - 136) * 256 + minor}`;
  if (major === 4) return minor < 64 ? `tty${minor}` : `ttyS${minor - 64}`;
  if (major === 5 && minor === 0) return 'tty';
  return `${major}:${minor}`;
}
