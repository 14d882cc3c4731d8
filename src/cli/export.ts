/** `oslens export`: a Prometheus/OpenMetrics exporter of oslens's figures (README: "Fleet"). */
import type { Command } from 'commander';
import type { AddressInfo } from 'node:net';
import { ExitCode, UserError } from '../util/errors.js';
import { noteSignal } from '../util/interrupt.js';
import { parsePositiveInt } from '../util/units.js';

interface ExportFlags {
  listen: string;
  collectors: string;
  interval: string;
  top: string;
  webConfig?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('export')
    .description('serve oslens metrics to Prometheus: /metrics (OpenMetrics text) and / (collector states)')
    .option('--listen <addr:port>', 'address and port to serve on', '127.0.0.1:9464')
    .option(
      '--collectors <list>',
      'comma-separated: proc,system,bench,syscalls,runqlat',
      'proc,system,bench,syscalls,runqlat',
    )
    .option('--interval <s>', 'minimum seconds between two readings (scrapes inside it share one)', '1')
    .option('--top <n>', 'proc: processes with their own series (the most active), the rest summed as "other"', '30')
    .option(
      '--web-config <file>',
      'TLS and basic auth: a web config file in the format of node_exporter and Prometheus (exporter-toolkit)',
    )
    .option('--json', 'print the listening address and collector states as one JSON line, then serve')
    .addHelpText(
      'after',
      '\nExamples:\n  oslens export\n  oslens export --listen 0.0.0.0:9464 --collectors proc,system\n  oslens export --listen 0.0.0.0:9464 --web-config /etc/oslens/web.yml\n  curl -s 127.0.0.1:9464/metrics',
    )
    .action(async (flags: ExportFlags) => {
      await exportCommand(flags);
    });
}

async function exportCommand(flags: ExportFlags): Promise<void> {
  const { parseListen, serve, Exporter } = await import('../export/server.js');
  const { makeCollectors, parseCollectorList } = await import('../export/collectors/index.js');
  const { host, port } = parseListen(flags.listen);
  const names = parseCollectorList(flags.collectors);
  const interval = Number(flags.interval);
  if (!Number.isFinite(interval) || interval < 0 || interval > 3600) {
    throw new UserError(`--interval: expected seconds from 0 to 3600, got "${flags.interval}"`, ExitCode.usage);
  }
  const top = parsePositiveInt(flags.top, '--top', 100000);
  // Checked whole before anything is attached or served.
  const web =
    flags.webConfig === undefined
      ? undefined
      : (await import('../export/web-config.js')).loadWebConfig(flags.webConfig);
  const exporter = new Exporter(makeCollectors(names, { top }), interval);
  let server;
  try {
    server = await serve(exporter, host, port, web);
  } catch (err) {
    exporter.close();
    throw err;
  }
  const addr = server.address() as AddressInfo;
  const scheme = web?.tls ? 'https' : 'http';
  const states = exporter.collectorStates;
  if (flags.json) {
    process.stdout.write(
      `${JSON.stringify({ listen: { address: addr.address, port: addr.port }, scheme, basicAuth: (web?.users.size ?? 0) > 0, collectors: states })}\n`,
    );
  } else {
    const shown = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    process.stderr.write(`export: serving ${scheme}://${shown}:${addr.port}/metrics; Ctrl-C to stop\n`);
    for (const s of states) if (s.state === 'off') process.stderr.write(`export: ${s.name} is off: ${s.detail}\n`);
  }
  // Stop on Ctrl-C / SIGTERM / SIGHUP: stop listening (the port is released), detach BPF, and
  // exit 130 / 143 / 129 (README "Exit codes").
  await new Promise<void>((resolve) => {
    const stop = (sig: NodeJS.Signals) => {
      noteSignal(sig);
      for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(s, stop);
      server.close(() => resolve());
      server.closeAllConnections();
    };
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, stop);
  });
  exporter.close();
}
