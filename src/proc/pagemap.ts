/**
 * /proc/PID/pagemap: one 64-bit entry per virtual page. We count flags per region (present,
 * swapped, file-or-shared, soft-dirty, exclusive); PFNs (bits 0-54) are zeroed without
 * CAP_SYS_ADMIN and never used. Read in bulk per region with positioned reads.
 */
import type { PageCounts } from './maps.js';

const PRESENT = 1n << 63n;
const SWAPPED = 1n << 62n;
const FILE_SHARED = 1n << 61n;
const EXCLUSIVE = 1n << 56n;
const SOFT_DIRTY = 1n << 55n;

/** Regions larger than this are not scanned (a reservation of terabytes would cost gigabytes). */
export const PAGEMAP_SCAN_LIMIT = 64 * 2 ** 30;

const CHUNK_PAGES = 64 * 1024;

/** Counts the flags in a buffer of pagemap entries (pure, for tests). */
export function countPagemapEntries(buf: Buffer, entries: number, into?: PageCounts): PageCounts {
  const c = into ?? { present: 0, swapped: 0, fileOrShared: 0, softDirty: 0, exclusive: 0 };
  for (let i = 0; i < entries; i++) {
    // The high 32 bits hold every flag we count; reading them as a uint32 avoids BigInt per page.
    const hi = buf.readUInt32LE(i * 8 + 4);
    if (hi === 0) continue;
    if (hi & 0x80000000) c.present++;
    if (hi & 0x40000000) c.swapped++;
    if (hi & 0x20000000) c.fileOrShared++;
    if (hi & 0x01000000) c.exclusive++;
    if (hi & 0x00800000) c.softDirty++;
  }
  return c;
}

/**
 * Counts the pages of [start, end) through an open pagemap fd. Returns null when the region is too
 * large to scan or the read fails (e.g. the process exited).
 */
export function countRegionPages(
  fd: number,
  start: number,
  end: number,
  pageSize: number,
  readSync: (fd: number, buf: Buffer, off: number, len: number, pos: bigint) => number,
): PageCounts | null {
  if (end - start > PAGEMAP_SCAN_LIMIT) return null;
  const first = BigInt(start) / BigInt(pageSize);
  const total = Math.round((end - start) / pageSize);
  const buf = Buffer.alloc(Math.min(total, CHUNK_PAGES) * 8);
  const counts: PageCounts = { present: 0, swapped: 0, fileOrShared: 0, softDirty: 0, exclusive: 0 };
  for (let done = 0; done < total;) {
    const n = Math.min(CHUNK_PAGES, total - done);
    let got: number;
    try {
      got = readSync(fd, buf, 0, n * 8, (first + BigInt(done)) * 8n);
    } catch {
      return null;
    }
    if (got <= 0) break;
    countPagemapEntries(buf, Math.floor(got / 8), counts);
    done += Math.floor(got / 8);
  }
  return counts;
}

export { PRESENT, SWAPPED, FILE_SHARED, EXCLUSIVE, SOFT_DIRTY };
