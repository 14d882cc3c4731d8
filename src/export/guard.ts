/**
 * What the web config asks of every request before it is served (as exporter-toolkit does it):
 * the rate limit (429), the extra headers, basic auth (401 with WWW-Authenticate: Basic), and,
 * on a TLS connection, the client-certificate policy the TLS layer cannot express alone.
 *
 * A bcrypt comparison costs ~50-300 ms of CPU by design; Prometheus sends the same credentials
 * every scrape, so each (user, hash, password) verdict is cached (a bounded map keyed by a
 * SHA-256 of the three, so no password is kept). An unknown user is compared against a fixed
 * hash all the same, so timing does not tell which users exist.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import bcrypt from 'bcryptjs';
import type { WebConfig } from './web-config.js';

/** bcrypt of a password nobody has: the comparison an unknown user costs. */
const DECOY = '$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi';
const CACHE_SIZE = 100;

export class RequestGuard {
  private readonly verdicts = new Map<string, boolean>();
  private tokens: number;
  private refilledAt = Date.now();

  constructor(private readonly config: WebConfig) {
    this.tokens = config.rateLimit?.burst ?? 0;
  }

  /** The TLS client-certificate checks past what OpenSSL does; false: drop the connection. */
  acceptsConnection(socket: TLSSocket): boolean {
    const tls = this.config.tls;
    if (!tls) return true;
    const cert = socket.getPeerX509Certificate();
    if (tls.clientAuth === 'RequireAnyClientCert' && !cert) return false;
    if (tls.clientAuth === 'VerifyClientCertIfGiven' && cert && !socket.authorized) return false;
    if (tls.allowedSans) {
      if (!cert) return false;
      const sans = subjectAltNames(cert.subjectAltName ?? '');
      const allowed = tls.allowedSans.map(canonicalIp);
      if (!sans.some((s) => allowed.includes(s))) return false;
    }
    return true;
  }

  /** True when the request may be served; otherwise the answer was sent. */
  async admit(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    if (!this.takeToken()) {
      res.writeHead(429, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Too Many Requests\n');
      return false;
    }
    for (const [k, v] of Object.entries(this.config.headers)) res.setHeader(k, v);
    if (this.config.users.size === 0) return true;
    const creds = basicCredentials(req.headers.authorization);
    if (creds && (await this.verify(creds.user, creds.password))) return true;
    res
      .writeHead(401, { 'WWW-Authenticate': 'Basic', 'Content-Type': 'text/plain; charset=utf-8' })
      .end('Unauthorized\n');
    return false;
  }

  private takeToken(): boolean {
    const limit = this.config.rateLimit;
    if (!limit) return true;
    const now = Date.now();
    const earned = Math.floor((now - this.refilledAt) / limit.intervalMs);
    if (earned > 0) {
      this.tokens = Math.min(limit.burst, this.tokens + earned);
      this.refilledAt += earned * limit.intervalMs;
    }
    if (this.tokens < 1) return false;
    this.tokens--;
    return true;
  }

  private async verify(user: string, password: string): Promise<boolean> {
    const known = this.config.users.get(user);
    const hash = known ?? DECOY;
    const key = createHash('sha256').update(user).update('\0').update(hash).update('\0').update(password).digest('hex');
    let ok = this.verdicts.get(key);
    if (ok === undefined) {
      ok = (await bcrypt.compare(password, hash)) && known !== undefined;
      if (this.verdicts.size >= CACHE_SIZE) this.verdicts.delete(this.verdicts.keys().next().value as string);
      this.verdicts.set(key, ok);
    }
    return ok;
  }
}

/** user and password of an `Authorization: Basic` header, or null. */
export function basicCredentials(header: string | undefined): { user: string; password: string } | null {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) return null;
  const text = Buffer.from(m[1] as string, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon < 0 ? null : { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

/**
 * The values of an X509Certificate.subjectAltName ("DNS:a, IP Address:1.2.3.4, email:x@y,
 * URI:spiffe://z"; a value with a comma or quote is JSON-quoted), without their prefixes.
 */
export function subjectAltNames(text: string): string[] {
  const out: string[] = [];
  const re = /(?:^|,\s*)(DNS|IP Address|email|URI):("(?:[^"\\]|\\.)*"|[^,]*)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const raw = m[2] as string;
    const v = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw.trim();
    out.push(m[1] === 'IP Address' ? canonicalIp(v) : v);
  }
  return out;
}

/** An IPv6 address in its short form (::1), as Go prints it; IPv4 and anything else unchanged. */
export function canonicalIp(v: string): string {
  if (!v.includes(':')) return v;
  try {
    return new URL(`http://[${v}]/`).hostname.slice(1, -1);
  } catch {
    return v;
  }
}
