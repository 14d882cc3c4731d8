/**
 * `--web-config FILE`: TLS, basic auth, extra headers and a rate limit, in the web configuration
 * format of Prometheus's exporter-toolkit (what node_exporter's --web.config.file reads), so one
 * file serves a fleet of both. Checked whole before serving: any fault is one line, exit 2.
 *
 * Keys, as the toolkit has them (unknown keys are refused, as its strict YAML decoding does):
 *   tls_server_config: cert_file/cert, key_file/key, client_auth_type, client_ca_file/client_ca,
 *     client_allowed_sans, min_version, max_version, cipher_suites, prefer_server_cipher_suites,
 *     curve_preferences  (relative paths are relative to the config file's directory)
 *   http_server_config: http2 (accepted; served as HTTP/1.1), headers (the toolkit's five)
 *   basic_auth_users: {user: bcrypt hash}
 *   rate_limit: {interval: Go duration, burst: int}
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createSecureContext, type TlsOptions } from 'node:tls';
import { parseDocument } from 'yaml';
import { ExitCode, UserError } from '../util/errors.js';

export type ClientAuth =
  | 'NoClientCert'
  | 'RequestClientCert'
  | 'RequireAnyClientCert'
  | 'VerifyClientCertIfGiven'
  | 'RequireAndVerifyClientCert';

export interface WebConfig {
  file: string;
  /** Absent: plain HTTP (the toolkit's "TLS is disabled" when no TLS key is set). */
  tls?: {
    options: TlsOptions;
    clientAuth: ClientAuth;
    /** The client's certificate must have one of these SANs (DNS, IP, e-mail or URI). */
    allowedSans?: string[];
  };
  headers: Record<string, string>;
  /** user -> bcrypt hash; empty: no authentication. */
  users: Map<string, string>;
  /** A token bucket: `burst` requests, refilled one per `intervalMs`. */
  rateLimit?: { intervalMs: number; burst: number };
}

/** Go's crypto/tls names (tls.CipherSuites(), the ones the toolkit accepts) -> OpenSSL's. */
const CIPHERS: Record<string, string | null> = {
  // TLS 1.3: not configurable in Go either (always on).
  TLS_AES_128_GCM_SHA256: null,
  TLS_AES_256_GCM_SHA384: null,
  TLS_CHACHA20_POLY1305_SHA256: null,
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'ECDHE-ECDSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'ECDHE-RSA-AES256-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
};
/** Kept on whatever cipher_suites says (as Go does): OpenSSL would otherwise drop TLS 1.3. */
const TLS13_SUITES = 'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256';
const CURVES: Record<string, string> = { CurveP256: 'P-256', CurveP384: 'P-384', CurveP521: 'P-521', X25519: 'X25519' };
const VERSIONS: Record<string, TlsOptions['minVersion']> = {
  TLS10: 'TLSv1',
  TLS11: 'TLSv1.1',
  TLS12: 'TLSv1.2',
  TLS13: 'TLSv1.3',
};
const CLIENT_AUTH: Record<string, ClientAuth> = {
  '': 'NoClientCert',
  NoClientCert: 'NoClientCert',
  RequestClientCert: 'RequestClientCert',
  RequireAnyClientCert: 'RequireAnyClientCert',
  RequireClientCert: 'RequireAnyClientCert', // the toolkit's old name
  VerifyClientCertIfGiven: 'VerifyClientCertIfGiven',
  RequireAndVerifyClientCert: 'RequireAndVerifyClientCert',
};
/** The headers the toolkit lets a config set, and their allowed values (null: any). */
const HEADERS: Record<string, string[] | null> = {
  'Strict-Transport-Security': null,
  'X-Content-Type-Options': ['nosniff'],
  'X-Frame-Options': ['deny', 'sameorigin'],
  'X-XSS-Protection': null,
  'Content-Security-Policy': null,
};
/** What Go's bcrypt.Cost accepts: $2a$/$2b$/$2x$/$2y$, cost 4..31, 22 salt + 31 hash characters. */
const BCRYPT = /^\$2[abxy]?\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/;

type Yaml = Record<string, unknown>;

export function loadWebConfig(file: string): WebConfig {
  const fail = (what: string): never => {
    throw new UserError(`--web-config ${file}: ${what}`, ExitCode.usage);
  };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return fail(`cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  // Errors and warnings (an unknown tag...) alike are one line here, never printed by the library.
  const parsed = parseDocument(text, { logLevel: 'silent', uniqueKeys: true });
  const problem = parsed.errors[0] ?? parsed.warnings[0];
  if (problem) return fail(`not YAML: ${String(problem.message).split('\n')[0]}`);
  let doc: unknown;
  try {
    doc = parsed.toJS({ maxAliasCount: 100 });
  } catch (err) {
    return fail(`not YAML: ${String((err as Error).message).split('\n')[0]}`);
  }
  const root = section(
    doc ?? {},
    '',
    ['tls_server_config', 'http_server_config', 'basic_auth_users', 'rate_limit'],
    fail,
  );
  const dir = dirname(resolve(file));
  const config: WebConfig = { file, headers: {}, users: new Map() };

  const tls = section(root.tls_server_config ?? {}, 'tls_server_config', Object.keys(TLS_KEYS), fail);
  for (const [k, kind] of Object.entries(TLS_KEYS)) checkKind(tls[k], `tls_server_config.${k}`, kind, fail);
  config.tls = tlsOptions(tls, dir, fail);

  const http = section(root.http_server_config ?? {}, 'http_server_config', ['http2', 'headers'], fail);
  checkKind(http.http2, 'http_server_config.http2', 'boolean', fail);
  const headers = section(http.headers ?? {}, 'http_server_config.headers', null, fail);
  for (const [name, value] of Object.entries(headers)) {
    if (!(name in HEADERS))
      fail(`HTTP header "${name}" can not be configured (only ${Object.keys(HEADERS).join(', ')})`);
    if (typeof value !== 'string') return fail(`http_server_config.headers.${name}: expected a string`);
    const allowed = HEADERS[name];
    if (allowed && !allowed.includes(value)) fail(`${name}: expected one of ${allowed.join(', ')}, got "${value}"`);
    if (/[\r\n]/.test(value)) fail(`${name}: a header value cannot hold a line break`);
    if (value !== '') config.headers[name] = value;
  }

  const users = section(root.basic_auth_users ?? {}, 'basic_auth_users', null, fail);
  for (const [user, hash] of Object.entries(users)) {
    if (typeof hash !== 'string' || !BCRYPT.test(hash)) {
      fail(
        `basic_auth_users.${user}: not a bcrypt hash (like $2y$10$ and 53 characters; htpasswd -nBC 10 "" makes one)`,
      );
    }
    config.users.set(user, hash as string);
  }

  const rate = section(root.rate_limit ?? {}, 'rate_limit', ['interval', 'burst'], fail);
  const intervalMs = rate.interval === undefined ? 0 : goDurationMs(rate.interval, fail);
  const burst = rate.burst ?? 0;
  if (typeof burst !== 'number' || !Number.isInteger(burst) || burst < 0)
    fail('rate_limit.burst: expected an integer >= 0');
  if (intervalMs > 0) config.rateLimit = { intervalMs, burst: burst as number };
  return config;
}

const TLS_KEYS: Record<string, 'string' | 'boolean' | 'list'> = {
  cert: 'string',
  key: 'string',
  client_ca: 'string',
  cert_file: 'string',
  key_file: 'string',
  client_auth_type: 'string',
  client_ca_file: 'string',
  client_allowed_sans: 'list',
  min_version: 'string',
  max_version: 'string',
  cipher_suites: 'list',
  prefer_server_cipher_suites: 'boolean',
  curve_preferences: 'list',
};

/** A mapping with only `keys` (null: any key), or a one-line fault. */
function section(v: unknown, where: string, keys: string[] | null, fail: (w: string) => never): Yaml {
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    return fail(`${where || 'the file'}: expected a mapping`);
  if (keys) {
    for (const k of Object.keys(v)) {
      if (!keys.includes(k)) fail(`unknown key "${where ? `${where}.` : ''}${k}" (known: ${keys.join(', ')})`);
    }
  }
  return v as Yaml;
}

function checkKind(v: unknown, where: string, kind: 'string' | 'boolean' | 'list', fail: (w: string) => never): void {
  if (v === undefined || v === null) return;
  if (kind === 'list') {
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) fail(`${where}: expected a list of strings`);
  } else if (typeof v !== kind) fail(`${where}: expected a ${kind}`);
}

function tlsOptions(t: Yaml, dir: string, fail: (w: string) => never): WebConfig['tls'] {
  const str = (k: string) => (typeof t[k] === 'string' ? (t[k] as string) : '');
  const list = (k: string) => (Array.isArray(t[k]) ? (t[k] as string[]) : undefined);
  const enabled = ['cert', 'key', 'client_ca', 'cert_file', 'key_file', 'client_ca_file', 'client_auth_type'].some(
    (k) => str(k) !== '',
  );
  if (!enabled) return undefined;
  const read = (k: string) => {
    const path = resolve(dir, str(k));
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      return fail(`tls_server_config.${k}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  };
  if (!str('cert_file') && !str('cert')) fail('tls_server_config: missing one of cert or cert_file');
  if (!str('key_file') && !str('key')) fail('tls_server_config: missing one of key or key_file');
  if (str('cert_file') && str('cert')) fail('tls_server_config: cert and cert_file are exclusive');
  if (str('key_file') && str('key')) fail('tls_server_config: key and key_file are exclusive');
  const cert = str('cert_file') ? read('cert_file') : str('cert');
  const key = str('key_file') ? read('key_file') : str('key');
  const ca = str('client_ca_file') ? read('client_ca_file') : str('client_ca') || undefined;
  const clientAuth = CLIENT_AUTH[str('client_auth_type')];
  if (!clientAuth) {
    return fail(
      `tls_server_config.client_auth_type: "${str('client_auth_type')}" is not one of ${Object.keys(CLIENT_AUTH).filter(Boolean).join(', ')}`,
    );
  }
  if (ca !== undefined && clientAuth === 'NoClientCert') {
    fail('tls_server_config: client CAs are configured without a client_auth_type');
  }
  const allowedSans = list('client_allowed_sans');
  if (allowedSans && clientAuth !== 'RequireAnyClientCert' && clientAuth !== 'RequireAndVerifyClientCert') {
    fail(
      'tls_server_config.client_allowed_sans needs client_auth_type RequireAnyClientCert or RequireAndVerifyClientCert',
    );
  }
  const version = (k: string, dflt: string) => {
    const v = VERSIONS[str(k) || dflt];
    return v ?? fail(`tls_server_config.${k}: "${str(k)}" is not one of ${Object.keys(VERSIONS).join(', ')}`);
  };
  const options: TlsOptions = {
    cert,
    key,
    ca,
    minVersion: version('min_version', 'TLS12'),
    maxVersion: version('max_version', 'TLS13'),
    honorCipherOrder: t.prefer_server_cipher_suites !== false,
    // The policy's finer cases (a certificate required but not verified, or verified only when
    // given) are checked once the handshake is done (server.ts).
    requestCert: clientAuth !== 'NoClientCert',
    rejectUnauthorized: clientAuth === 'RequireAndVerifyClientCert',
  };
  const suites = list('cipher_suites') ?? [];
  for (const s of suites) if (!(s in CIPHERS)) fail(`tls_server_config.cipher_suites: unknown cipher ${s}`);
  const tls12 = suites.map((s) => CIPHERS[s]).filter((s): s is string => Boolean(s));
  if (tls12.length > 0) options.ciphers = [...tls12, TLS13_SUITES].join(':');
  const curves = list('curve_preferences') ?? [];
  for (const c of curves) if (!(c in CURVES)) fail(`tls_server_config.curve_preferences: unknown curve ${c}`);
  if (curves.length > 0) options.ecdhCurve = curves.map((c) => CURVES[c]).join(':');
  try {
    // Loads the pair (and the CAs) now: a key that does not match its certificate, or a
    // file that is no PEM, fails here, before serving.
    createSecureContext(options);
  } catch (err) {
    fail(`tls_server_config: cannot use the certificate and key: ${String((err as Error).message).split('\n')[0]}`);
  }
  return { options, clientAuth, allowedSans };
}

/** A Go time.Duration: "1m30s", "250ms", "2h"; a bare integer is nanoseconds (as YAML v2 decodes it). */
export function goDurationMs(v: unknown, fail: (w: string) => never): number {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v / 1e6;
  const text = typeof v === 'string' ? v.trim() : '';
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60000, h: 3600000 };
  if (text === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/gy;
  let ms = 0;
  let at = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    ms += Number(m[1]) * (unit[m[2] as string] as number);
    at = re.lastIndex;
  }
  if (!text || at !== text.length)
    fail(`rate_limit.interval: expected a duration like 1s or 500ms, got "${String(v)}"`);
  return ms;
}
