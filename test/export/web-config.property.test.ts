/**
 * Property-based tests (fast-check) for the web config's parsers: any YAML document is either a
 * config or a one-line usage error (exit 2) naming the file, never another exception; the Basic
 * credentials and the SAN list read back what was written (the SAN text as Node formats it, from
 * certificates openssl makes in web-config.test.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { basicCredentials, canonicalIp, subjectAltNames } from '../../src/export/guard.js';
import { goDurationMs, loadWebConfig } from '../../src/export/web-config.js';
import { UserError } from '../../src/util/errors.js';
import { IN_CI } from '../helpers/env.js';

fc.configureGlobal({ numRuns: Number(process.env.OSLENS_FUZZ_RUNS ?? 300), ...(IN_CI ? { seed: 20261201 } : {}) });
const dir = mkdtempSync(join(tmpdir(), 'oslens-webcfg-prop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const KEYS = [
  'tls_server_config',
  'http_server_config',
  'basic_auth_users',
  'rate_limit',
  'cert_file',
  'key_file',
  'client_auth_type',
  'client_allowed_sans',
  'headers',
  'X-Frame-Options',
  'interval',
  'burst',
  'min_version',
  'cipher_suites',
  'prom',
];
const leaf = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(
    'deny',
    'TLS12',
    '1s',
    'RequireAnyClientCert',
    '$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi',
  ),
);
const doc = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, leaf, tie('map'), fc.array(tie('node'), { maxLength: 3 })),
  map: fc.dictionary(fc.oneof(fc.constantFrom(...KEYS), fc.string()), tie('node'), { maxKeys: 4 }),
})).map;

describe('web config: any document is a config or one line, exit 2', () => {
  it('random YAML structures (and random text)', async () => {
    let n = 0;
    const check = (text: string) => {
      const file = join(dir, `w${++n}.yml`);
      writeFileSync(file, text);
      try {
        const c = loadWebConfig(file);
        expect(c.file).toBe(file);
      } catch (err) {
        expect(err).toBeInstanceOf(UserError);
        const e = err as UserError;
        expect(e.exitCode).toBe(2);
        expect(e.message.startsWith(`--web-config ${file}: `)).toBe(true);
        expect(e.message).not.toMatch(/\n/);
      }
    };
    // Nothing printed by the YAML library either (a warning would be a second line).
    let warnings = 0;
    const onWarning = () => warnings++;
    process.on('warning', onWarning);
    try {
      fc.assert(fc.property(doc, (d) => check(stringify(d))));
      fc.assert(fc.property(fc.string(), check));
      check('!unknown-tag x\n');
      check('a: &x [*x]\n');
      await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).toBe(0);
  });

  it('Go durations: sums of parts; anything else is refused', () => {
    const fail = (w: string): never => {
      throw new Error(w);
    };
    const unit = fc.constantFrom(['h', 3600000], ['m', 60000], ['s', 1000], ['ms', 1], ['us', 1e-3], ['ns', 1e-6]);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(1000), unit), { minLength: 1, maxLength: 4 }), (parts) => {
        const text = parts.map(([n, [u]]) => `${n}${u}`).join('');
        const want = parts.reduce((a, [n, [, ms]]) => a + n * (ms as number), 0);
        expect(goDurationMs(text, fail)).toBeCloseTo(want, 6);
      }),
    );
    for (const bad of ['', '1', '1d', 's', '1s2', '-1s', 'soon']) expect(() => goDurationMs(bad, fail), bad).toThrow();
    expect(goDurationMs(1_500_000, fail)).toBe(1.5); // a bare integer is nanoseconds
  });
});

describe('request parsers', () => {
  it('Basic credentials read back user and password (the password may hold colons)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }).filter((u) => !u.includes(':')),
        fc.string({ unit: 'binary' }),
        (user, password) => {
          const header = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
          expect(basicCredentials(header)).toEqual({ user, password });
        },
      ),
    );
    for (const bad of [
      undefined,
      '',
      'Bearer x',
      'Basic',
      'Basic !!!',
      `Basic ${Buffer.from('nocolon').toString('base64')}`,
    ]) {
      expect(basicCredentials(bad), String(bad)).toBeNull();
    }
  });

  it('SAN lists read back their values, quoted ones included; IPv6 in its short form', () => {
    const value = fc.string({ unit: 'binary', minLength: 1, maxLength: 12 });
    const san = fc.tuple(fc.constantFrom('DNS', 'email', 'URI'), value);
    fc.assert(
      fc.property(fc.array(san, { maxLength: 4 }), (sans) => {
        // Node quotes (JSON) a value with a comma, quote, backslash or a control character.
        const text = sans.map(([k, v]) => `${k}:${/[,"\\\s\p{Cc}]/u.test(v) ? JSON.stringify(v) : v}`).join(', ');
        expect(subjectAltNames(text)).toEqual(sans.map(([, v]) => (/[,"\\\s\p{Cc}]/u.test(v) ? v : v.trim())));
      }),
    );
    expect(subjectAltNames('IP Address:0:0:0:0:0:0:0:1, IP Address:127.0.0.1')).toEqual(['::1', '127.0.0.1']);
    expect(canonicalIp('2001:DB8:0:0:0:0:0:1')).toBe('2001:db8::1');
  });
});
