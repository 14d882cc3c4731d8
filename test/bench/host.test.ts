import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allowedCpus, diskTempDir, parseCacheSize, readCacheSizes } from '../../src/bench/host.js';

describe('cache sizes', () => {
  it('parses sysfs notation', () => {
    expect(parseCacheSize('32K')).toBe(32768);
    expect(parseCacheSize('32768K\n')).toBe(32 << 20);
    expect(parseCacheSize('8M')).toBe(8 << 20);
    expect(parseCacheSize('bogus')).toBeNaN();
  });

  it('reads the L1d, L2 and last-level sizes this CPU reports', () => {
    const dir = '/sys/devices/system/cpu/cpu0/cache';
    const sizes = readCacheSizes();
    let entries: string[] = [];
    try {
      entries = readdirSync(dir).filter((e) => e.startsWith('index'));
    } catch {
      expect(sizes.source).toBe('default');
      return;
    }
    const data = entries.map((e) => ({
      level: Number(readFileSync(`${dir}/${e}/level`, 'utf8')),
      type: readFileSync(`${dir}/${e}/type`, 'utf8').trim(),
      size: parseCacheSize(readFileSync(`${dir}/${e}/size`, 'utf8')),
    }));
    const l1d = data.find((d) => d.level === 1 && d.type === 'Data');
    if (l1d) expect(sizes.l1dBytes).toBe(l1d.size);
    expect(sizes.l1dBytes).toBeLessThan(sizes.l2Bytes);
    expect(sizes.l2Bytes).toBeLessThanOrEqual(sizes.llcBytes);
  });
});

describe('allowedCpus', () => {
  it('agrees with taskset', () => {
    const out = execFileSync('taskset', ['-cp', String(process.pid)], { encoding: 'utf8' });
    const list = out.split(':').pop()!.trim();
    expect(allowedCpus().join(',')).toBe(allowedCpus(`Cpus_allowed_list:\t${list}\n`).join(','));
    expect(allowedCpus('Cpus_allowed_list:\t0-2,5\n')).toEqual([0, 1, 2, 5]);
  });
});

describe('diskTempDir', () => {
  it('never picks tmpfs when a disk directory is writable', () => {
    const dir = diskTempDir();
    const fstype = execFileSync('stat', ['-f', '-c', '%T', dir], { encoding: 'utf8' }).trim();
    const varTmpType = execFileSync('stat', ['-f', '-c', '%T', '/var/tmp'], { encoding: 'utf8' }).trim();
    if (varTmpType !== 'tmpfs') expect(fstype).not.toBe('tmpfs');
  });
});
