#!/usr/bin/env node
// Builds the native addon with node-gyp against the headers of the Node that runs us.
// Offline machines cannot download headers, so point node-gyp at the local ones when they exist.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = ['rebuild'];
const localHeaders = resolve(process.execPath, '../..');
if (!process.env.npm_config_nodedir && existsSync(join(localHeaders, 'include/node/node_api.h'))) {
  args.push(`--nodedir=${localHeaders}`);
}
// npm exposes its bundled node-gyp to scripts; fall back to the one on PATH.
const gyp = process.env.npm_config_node_gyp;
const [cmd, cmdArgs] = gyp ? [process.execPath, [gyp, ...args]] : ['node-gyp', args];
const run = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit' });
if (run.error) {
  console.error(`oslens: cannot run node-gyp (${run.error.message}); install it with: npm i -g node-gyp`);
  process.exit(1);
}
process.exit(run.status ?? 1);
