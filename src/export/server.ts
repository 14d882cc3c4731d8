/**
 * The exporter's HTTP server: /metrics (OpenMetrics or Prometheus 0.0.4 text, by Accept) and /
 * (an HTML page of the collectors and their state). A collector that fails a scrape is down for
 * that scrape (oslens_collector_up 0) and the others still serve.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { gzipSync } from 'node:zlib';
import type { TLSSocket } from 'node:tls';
import { CONTENT_TYPES, acceptsGzip, encode, negotiate, type Format, type MetricFamily } from './format.js';
import type { Collector } from './collectors/types.js';
import { selfFamilies } from './self.js';
import { RequestGuard } from './guard.js';
import type { WebConfig } from './web-config.js';
import { ExitCode, UserError, errnoCode } from '../util/errors.js';
import { escapeHtml } from '../util/html.js';

export interface CollectorState {
  name: string;
  state: 'up' | 'down' | 'off';
  detail: string;
}

export class Exporter {
  private cache?: { at: number; families: MetricFamily[] };
  /** The last encoding of each format, for the reading it was made from (scrapes inside --interval). */
  private encoded = new Map<Format, { families: MetricFamily[]; body: string; gzipped?: Buffer }>();
  private states: CollectorState[];
  scrapes = 0;

  constructor(
    readonly collectors: Collector[],
    /** Minimum seconds between two readings: scrapes inside it get the cached one. */
    private readonly intervalS: number,
  ) {
    this.states = collectors.map((c) => ({
      name: c.name,
      state: c.disabled ? 'off' : 'up',
      detail: c.disabled ?? 'not scraped yet',
    }));
  }

  /** One label set per collector, kept (the encoder caches its text by the object). */
  private readonly collectorLabels = new Map<string, Record<string, string>>();

  private labelsOf(collector: string): Record<string, string> {
    let l = this.collectorLabels.get(collector);
    if (!l) this.collectorLabels.set(collector, (l = { collector }));
    return l;
  }

  get collectorStates(): readonly CollectorState[] {
    return this.states;
  }

  families(): MetricFamily[] {
    const now = Date.now();
    if (this.cache && now - this.cache.at < this.intervalS * 1000) return this.cache.families;
    const families: MetricFamily[] = [];
    const up: { labels: Record<string, string>; value: number }[] = [];
    const seconds: { labels: Record<string, string>; value: number }[] = [];
    this.states = this.collectors.map((c) => {
      if (c.disabled) {
        up.push({ labels: this.labelsOf(c.name), value: 0 });
        return { name: c.name, state: 'off', detail: c.disabled };
      }
      const t0 = process.hrtime.bigint();
      try {
        families.push(...c.collect());
        up.push({ labels: this.labelsOf(c.name), value: 1 });
        return { name: c.name, state: 'up', detail: 'serving' };
      } catch (err) {
        up.push({ labels: this.labelsOf(c.name), value: 0 });
        return { name: c.name, state: 'down', detail: err instanceof Error ? err.message : String(err) };
      } finally {
        seconds.push({ labels: this.labelsOf(c.name), value: Number(process.hrtime.bigint() - t0) / 1e9 });
      }
    });
    families.push(
      {
        name: 'oslens_collector_up',
        type: 'gauge',
        help: "Whether the collector read its source in this scrape (0: off for lack of capability, or its source failed); the exporter's own health, no mental model",
        samples: up,
      },
      {
        name: 'oslens_collector_duration_seconds',
        type: 'gauge',
        help: "Time the collector took to read its source in this scrape; the exporter's own cost, no mental model",
        unit: 'seconds',
        samples: seconds,
      },
      ...selfFamilies(),
    );
    this.cache = { at: now, families };
    return families;
  }

  /**
   * The body of a scrape: encoded once per reading and format, and gzipped once when the scraper
   * accepts it (Prometheus does: ~10x fewer bytes to send, and fewer for the kernel to copy).
   */
  metrics(
    accept: string | undefined,
    acceptEncoding?: string,
  ): { body: string | Buffer; contentType: string; gzip: boolean } {
    const format = negotiate(accept);
    this.scrapes++;
    const families = this.families();
    let last = this.encoded.get(format);
    if (last?.families !== families) {
      last = { families, body: encode(families, format) };
      this.encoded.set(format, last);
    }
    const contentType = CONTENT_TYPES[format];
    if (!acceptsGzip(acceptEncoding)) return { body: last.body, contentType, gzip: false };
    last.gzipped ??= gzipSync(last.body, { level: 1 });
    return { body: last.gzipped, contentType, gzip: true };
  }

  close(): void {
    for (const c of this.collectors) c.close();
  }
}

const html = escapeHtml;

function indexPage(states: readonly CollectorState[]): string {
  const rows = states
    .map((s) => `<tr><td>${html(s.name)}</td><td>${s.state}</td><td>${html(s.detail)}</td></tr>`)
    .join('\n');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>oslens exporter</title></head>
<body><h1>oslens exporter</h1><p><a href="/metrics">/metrics</a></p>
<table><tr><th>collector</th><th>state</th><th>detail</th></tr>
${rows}
</table></body></html>
`;
}

/** Parses ADDR:PORT (IPv6 as [ADDR]:PORT); a usage error otherwise. */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text.trim());
  const port = Number(m?.[3]);
  if (!m || !Number.isInteger(port) || port > 65535) {
    throw new UserError(`--listen: expected ADDR:PORT like 127.0.0.1:9464, got "${text}"`, ExitCode.usage);
  }
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

/** Listens (HTTPS when the web config has TLS), or fails with one line (port in use, address not on this host). */
export function serve(exporter: Exporter, host: string, port: number, web?: WebConfig): Promise<Server> {
  const guard = web ? new RequestGuard(web) : undefined;
  const route = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/metrics') {
      try {
        const { body, contentType, gzip } = exporter.metrics(req.headers.accept, req.headers['accept-encoding']);
        const headers: Record<string, string> = { 'Content-Type': contentType, Vary: 'Accept-Encoding' };
        if (gzip) headers['Content-Encoding'] = 'gzip';
        res.writeHead(200, headers).end(req.method === 'HEAD' ? undefined : body);
      } catch (err) {
        res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`${err instanceof Error ? err.message : err}\n`);
      }
    } else if (path === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(indexPage(exporter.collectorStates));
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found: see / and /metrics\n');
    }
  };
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    if (!guard) return route(req, res);
    guard.admit(req, res).then(
      (ok) => ok && route(req, res),
      () => res.writeHead(500).end(),
    );
  };
  let server: Server;
  if (web?.tls) {
    const tlsServer = createHttpsServer(web.tls.options, handle);
    // The client-certificate policy's finer cases, once the handshake is done.
    tlsServer.on('secureConnection', (socket: TLSSocket) => {
      if (!guard!.acceptsConnection(socket)) socket.destroy();
    });
    // A failed handshake (a client without the certificate asked for, plain HTTP on the TLS
    // port) closes that connection only.
    tlsServer.on('tlsClientError', (_err, socket) => socket.destroy());
    server = tlsServer;
  } else {
    server = createServer(handle);
  }
  return new Promise((resolve, reject) => {
    server.once('error', (err) => {
      const code = errnoCode(err);
      const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
      if (code === 'EADDRINUSE') reject(new UserError(`cannot listen on ${where}: the port is in use`));
      else if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN')
        reject(new UserError(`cannot listen on ${where}: no such address on this host`, ExitCode.usage));
      else if (code === 'EACCES') reject(new UserError(`cannot listen on ${where}: permission denied`));
      else reject(new UserError(`cannot listen on ${where}: ${err.message}`));
    });
    server.listen({ host, port, exclusive: true }, () => resolve(server));
  });
}
