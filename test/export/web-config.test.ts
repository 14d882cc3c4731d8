/**
 * `oslens export --web-config`: the exporter-toolkit web config (TLS, client certificates, basic
 * auth, headers, rate limit) against real clients: certificates made by openssl here, curl and
 * Node's https client, and a real Prometheus scraping over TLS with basic auth. Bad configs: one
 * line, exit 2, before serving.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OSLENS, oslens, skipUnlessCapable } from '../helpers/env.js';
import { freePort } from '../helpers/net.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const HAVE_PROMETHEUS = spawnSync('prometheus', ['--version']).status === 0;
const children: ChildProcess[] = [];
const dir = mkdtempSync(join(tmpdir(), 'oslens-webcfg-'));
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function openssl(...args: string[]): void {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
}

/** A P-256 key and a certificate for `cn` with `san`, signed by the CA (or self-signed). */
function makeCert(name: string, cn: string, san: string, ca?: string): void {
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`];
  if (!ca) {
    openssl(
      'req',
      '-x509',
      ...key,
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      '-subj',
      `/CN=${cn}`,
      '-addext',
      `subjectAltName=${san}`,
    );
    return;
  }
  openssl('req', ...key, '-out', `${name}.csr`, '-subj', `/CN=${cn}`, '-addext', `subjectAltName=${san}`);
  openssl(
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.pem`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-copy_extensions',
    'copy',
    '-days',
    '2',
    '-out',
    `${name}.pem`,
  );
}

const PASSWORD = 'correct horse';
let hash = '';
beforeAll(() => {
  makeCert('ca', 'oslens test CA', 'DNS:ca.invalid');
  makeCert('server', 'localhost', 'DNS:localhost,IP:127.0.0.1', 'ca');
  makeCert('scraper', 'scraper', 'DNS:scraper.example', 'ca');
  makeCert('stranger', 'stranger', 'DNS:stranger.example', 'ca');
  makeCert('selfsigned', 'scraper', 'DNS:scraper.example');
  makeCert('other', 'other', 'DNS:localhost');
  hash = bcrypt.hashSync(PASSWORD, 4);
});

let configs = 0;
function writeConfig(text: string): string {
  const file = join(dir, `web-${++configs}.yml`);
  writeFileSync(file, text);
  return file;
}

/** Starts the exporter with a web config; resolves with its port once it printed its JSON line. */
async function start(config: string): Promise<{ child: ChildProcess; port: number; json: Record<string, unknown> }> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [OSLENS, 'export', '--json', '--collectors', 'system', '--listen', `127.0.0.1:${port}`, '--web-config', config],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  for (let i = 0; i < 300 && !out.includes('\n') && child.exitCode === null; i++) await sleep(100);
  if (!out.includes('\n')) throw new Error(`exporter did not start: ${err}`);
  return { child, port, json: JSON.parse(out) as Record<string, unknown> };
}

interface Answer {
  status?: number;
  headers?: Record<string, string | string[] | undefined>;
  body?: string;
  error?: string;
}

/** One GET with Node's https client: the CA to trust, optional client certificate and basic auth. */
function get(port: number, opts: { client?: string; auth?: string; path?: string } = {}): Promise<Answer> {
  return new Promise((resolve) => {
    const read = (f: string) => spawnSync('cat', [join(dir, f)], { encoding: 'utf8' }).stdout;
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: opts.path ?? '/metrics',
        ca: read('ca.pem'),
        cert: opts.client ? read(`${opts.client}.pem`) : undefined,
        key: opts.client ? read(`${opts.client}.key`) : undefined,
        auth: opts.auth,
        agent: false,
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
        res.on('error', (e) => resolve({ error: e.message }));
      },
    );
    req.on('error', (e) => resolve({ error: (e as NodeJS.ErrnoException).code ?? e.message }));
    req.end();
  });
}

const stop = async (c: ChildProcess) => {
  c.kill('SIGTERM');
  return new Promise((r) => (c.exitCode !== null ? r(c.exitCode) : c.on('exit', (code) => r(code))));
};

describe('oslens export --web-config: bad configs are one line, exit 2, before serving', () => {
  it('refuses each fault with what and where', () => {
    const tls = (extra: string) => `tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n${extra}`;
    const cases: [string, RegExp][] = [
      ['basic_auth_users: [a\n', /: not YAML: /],
      [
        'tls_server_config:\n  cert_file: server.pem\n  keyfile: server.key\n',
        /unknown key "tls_server_config\.keyfile"/,
      ],
      ['tls_server_config:\n  cert_file: server.pem\n', /missing one of key or key_file$/],
      [
        'tls_server_config:\n  cert_file: nothere.pem\n  key_file: server.key\n',
        /cert_file: cannot read .*nothere\.pem \(ENOENT\)$/,
      ],
      ['tls_server_config:\n  cert_file: server.pem\n  key_file: other.key\n', /cannot use the certificate and key: /],
      ['tls_server_config:\n  cert_file: server.key\n  key_file: server.key\n', /cannot use the certificate and key: /],
      [tls('  client_auth_type: Sometimes\n'), /client_auth_type: "Sometimes" is not one of /],
      [tls('  client_ca_file: ca.pem\n'), /client CAs are configured without a client_auth_type$/],
      [
        tls('  client_auth_type: VerifyClientCertIfGiven\n  client_allowed_sans: [a]\n'),
        /client_allowed_sans needs client_auth_type RequireAnyClientCert or RequireAndVerifyClientCert$/,
      ],
      [tls('  min_version: TLS14\n'), /min_version: "TLS14" is not one of TLS10, TLS11, TLS12, TLS13$/],
      [tls('  cipher_suites: [TLS_RSA_WITH_RC4_128_SHA]\n'), /unknown cipher TLS_RSA_WITH_RC4_128_SHA$/],
      [tls('  curve_preferences: [CurveP999]\n'), /unknown curve CurveP999$/],
      [tls('  prefer_server_cipher_suites: yes please\n'), /prefer_server_cipher_suites: expected a boolean$/],
      ['basic_auth_users:\n  prom: plaintext\n', /basic_auth_users\.prom: not a bcrypt hash/],
      [
        'http_server_config:\n  headers:\n    X-Powered-By: oslens\n',
        /HTTP header "X-Powered-By" can not be configured/,
      ],
      [
        'http_server_config:\n  headers:\n    X-Frame-Options: allow\n',
        /X-Frame-Options: expected one of deny, sameorigin, got "allow"$/,
      ],
      [
        'rate_limit:\n  interval: soon\n  burst: 1\n',
        /rate_limit\.interval: expected a duration like 1s or 500ms, got "soon"$/,
      ],
      ['listen: 0.0.0.0\n', /unknown key "listen"/],
    ];
    for (const [text, want] of cases) {
      const file = writeConfig(text);
      const r = oslens(['export', '--collectors', 'system', '--listen', '127.0.0.1:0', '--web-config', file], {
        timeout: 30_000,
      });
      expect(r.stderr.split('\n').length, `${text}: ${r.stderr}`).toBe(2); // one line and its newline
      expect(r.stderr.startsWith(`oslens: --web-config ${file}: `), r.stderr).toBe(true);
      expect(r.stderr.trim(), text).toMatch(want);
      expect(r.status, text).toBe(2);
    }
    const missing = oslens(['export', '--web-config', join(dir, 'absent.yml')], { timeout: 30_000 });
    expect(missing.stderr).toBe(`oslens: --web-config ${join(dir, 'absent.yml')}: cannot read it (ENOENT)\n`);
    expect(missing.status).toBe(2);
  });
});

describe('oslens export --web-config: serving', () => {
  it('TLS and basic auth: curl and Node see the certificate, 401 without the password, 200 with it', async () => {
    const config = writeConfig(
      `tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n` +
        `basic_auth_users:\n  prom: '${hash}'\n` +
        `http_server_config:\n  headers:\n    X-Content-Type-Options: nosniff\n`,
    );
    const { child, port, json } = await start(config);
    expect(json.scheme).toBe('https');
    expect(json.basicAuth).toBe(true);
    const url = `https://127.0.0.1:${port}/metrics`;
    const curl = (...args: string[]) =>
      spawnSync(
        'curl',
        ['-s', '-o', '/dev/null', '-w', '%{http_code}', '--cacert', join(dir, 'ca.pem'), ...args, url],
        {
          encoding: 'utf8',
        },
      );
    expect(curl().stdout).toBe('401');
    expect(curl('-u', 'prom:wrong').stdout).toBe('401');
    expect(curl('-u', 'nobody:wrong').stdout).toBe('401');
    expect(curl('-u', `prom:${PASSWORD}`).stdout).toBe('200');
    // A client that does not trust this CA refuses the server (curl's exit 60: peer certificate).
    const untrusted = spawnSync('curl', ['-s', '-u', `prom:${PASSWORD}`, url]);
    expect(untrusted.status).toBe(60);

    const none = await get(port);
    expect(none.status).toBe(401);
    expect(none.headers?.['www-authenticate']).toBe('Basic');
    const ok = await get(port, { auth: `prom:${PASSWORD}` });
    expect(ok.status).toBe(200);
    expect(ok.headers?.['x-content-type-options']).toBe('nosniff');
    expect(ok.body).toMatch(/^oslens_context_switches_total \d+$/m);
    // Twice more: the verdict is cached, the answer the same.
    for (let i = 0; i < 2; i++) expect((await get(port, { auth: `prom:${PASSWORD}` })).status).toBe(200);
    // Plain HTTP to the TLS port gets no metrics.
    const plain = await fetch(`http://127.0.0.1:${port}/metrics`).then(
      (r) => r.status,
      () => 'refused',
    );
    expect(plain).not.toBe(200);
    expect(await stop(child)).toBe(143);
  });

  it('client certificates: RequireAndVerifyClientCert with client_allowed_sans', async () => {
    const config = writeConfig(
      `tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n  client_ca_file: ca.pem\n` +
        `  client_auth_type: RequireAndVerifyClientCert\n  client_allowed_sans: [scraper.example]\n`,
    );
    const { child, port } = await start(config);
    const ok = await get(port, { client: 'scraper' });
    expect(ok.status).toBe(200);
    // No certificate, one the CA did not sign, one signed but without an allowed SAN: no answer.
    for (const client of [undefined, 'selfsigned', 'stranger']) {
      const r = await get(port, { client });
      expect(r.status, String(client)).toBeUndefined();
      expect(r.error, String(client)).toBeDefined();
    }
    // curl with the scraper's certificate too.
    const curl = spawnSync(
      'curl',
      [
        '-s',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code}',
        '--cacert',
        join(dir, 'ca.pem'),
        '--cert',
        join(dir, 'scraper.pem'),
        '--key',
        join(dir, 'scraper.key'),
        `https://127.0.0.1:${port}/metrics`,
      ],
      { encoding: 'utf8' },
    );
    expect(curl.stdout).toBe('200');
    expect(await stop(child)).toBe(143);

    // RequireAnyClientCert: any certificate (even self-signed), but one; VerifyClientCertIfGiven:
    // none, or one the CA signed.
    const any = await start(
      writeConfig(
        `tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n  client_auth_type: RequireAnyClientCert\n`,
      ),
    );
    expect((await get(any.port, { client: 'selfsigned' })).status).toBe(200);
    expect((await get(any.port)).status).toBeUndefined();
    expect(await stop(any.child)).toBe(143);
    const ifGiven = await start(
      writeConfig(
        `tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n  client_ca_file: ca.pem\n  client_auth_type: VerifyClientCertIfGiven\n`,
      ),
    );
    expect((await get(ifGiven.port)).status).toBe(200);
    expect((await get(ifGiven.port, { client: 'stranger' })).status).toBe(200);
    expect((await get(ifGiven.port, { client: 'selfsigned' })).status).toBeUndefined();
    expect(await stop(ifGiven.child)).toBe(143);
  });

  it('rate_limit: a burst, then 429 until the interval refills it', async () => {
    const config = writeConfig(`rate_limit:\n  interval: 1m\n  burst: 2\n`);
    const { child, port, json } = await start(config);
    expect(json.scheme).toBe('http');
    const codes: number[] = [];
    for (let i = 0; i < 3; i++) codes.push((await fetch(`http://127.0.0.1:${port}/metrics`)).status);
    expect(codes).toEqual([200, 200, 429]);
    expect(await stop(child)).toBe(143);
  });

  it('a real Prometheus scrapes it over TLS with basic auth (and a wrong password is a 401)', async ({ skip }) => {
    if (!HAVE_PROMETHEUS) skipUnlessCapable(skip, 'the prometheus package is not installed');
    const config = writeConfig(
      `tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\nbasic_auth_users:\n  prom: '${hash}'\n`,
    );
    const { child, port } = await start(config);
    const promPort = await freePort();
    const job = (name: string, password: string) =>
      `  - job_name: ${name}\n    scheme: https\n    tls_config:\n      ca_file: ${join(dir, 'ca.pem')}\n` +
      `    basic_auth:\n      username: prom\n      password: '${password}'\n` +
      `    static_configs:\n      - targets: ['127.0.0.1:${port}']\n`;
    const promConfig = join(dir, 'prometheus.yml');
    writeFileSync(
      promConfig,
      `global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\nscrape_configs:\n${job('good', PASSWORD)}${job('bad', 'nope')}`,
    );
    const prom = spawn(
      'prometheus',
      [
        `--config.file=${promConfig}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
      ],
      { stdio: 'ignore' },
    );
    children.push(prom);
    type Target = { labels: { job: string }; health: string; lastError: string };
    let targets: Target[] = [];
    for (let i = 0; i < 150; i++) {
      await sleep(200);
      try {
        const r = (await (await fetch(`http://127.0.0.1:${promPort}/api/v1/targets`)).json()) as {
          data: { activeTargets: Target[] };
        };
        targets = r.data.activeTargets;
        if (targets.length === 2 && targets.every((t) => t.health !== 'unknown')) break;
      } catch {
        // not up yet
      }
    }
    const byJob = Object.fromEntries(targets.map((t) => [t.labels.job, [t.health, t.lastError]]));
    expect(byJob.good).toEqual(['up', '']);
    expect(byJob.bad?.[0]).toBe('down');
    expect(byJob.bad?.[1]).toMatch(/401 Unauthorized/);
    // The scraped series are there.
    let found = 0;
    for (let i = 0; i < 50 && found === 0; i++) {
      const q = (await (
        await fetch(
          `http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent('oslens_context_switches_total{job="good"}')}`,
        )
      ).json()) as { data: { result: unknown[] } };
      found = q.data.result.length;
      if (found === 0) await sleep(200);
    }
    expect(found).toBe(1);
    prom.kill('SIGTERM');
    expect(await stop(child)).toBe(143);
  }, 90_000);
});
