/**
 * The programs of `npm run bench:fidelity`: what a user runs every day, chosen as a user would
 * (not for what oslens decodes well). Each runs in a fresh directory made by `setup`, with the
 * deterministic inputs below. `forks`: the program starts processes or threads, so it is traced
 * with -f only; the others are traced both without and with -f.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Buffer } from 'node:buffer';

const WORDS = [
  'alpha',
  'bravo',
  'charlie',
  'delta',
  'echo',
  'foxtrot',
  'golf',
  'hotel',
  'india',
  'juliett',
  'kilo',
  'lima',
  'mike',
  'november',
  'oscar',
];
/** 2024-01-01T00:00:00Z: every input file gets this mtime, so listings and archives repeat. */
const FIXED_TIME = new Date('2024-01-01T00:00:00Z');

/** The common inputs: words.txt (300 lines), a small tree with text files and a subfolder. */
export function baseSetup(dir) {
  const words = Array.from({ length: 300 }, (_, i) => `${WORDS[(i * 7) % WORDS.length]} ${i}`).join('\n') + '\n';
  const files = {
    'words.txt': words,
    'tree/a.txt': 'alpha beta\ngamma\n',
    'tree/b.txt': 'one\ntwo\nthree alpha\n',
    'tree/sub/c.txt': 'deep alpha file\n'.repeat(20),
    'tree/sub/data.bin': Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 37) & 0xff)),
    Makefile:
      'all: out/b.txt\n\nout/a.txt: tree/a.txt\n\tmkdir -p out\n\tcat tree/a.txt > out/a.txt\n\nout/b.txt: out/a.txt\n\tsort out/a.txt tree/b.txt > out/b.txt\n',
  };
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  for (const name of [...Object.keys(files), 'tree/sub', 'tree']) utimesSync(join(dir, name), FIXED_TIME, FIXED_TIME);
}

const sh = (script) => ['sh', '-c', script];

const PY_FILES = `import json, os
rows = [line.split() for line in open("words.txt")]
counts = {}
for word, _ in rows:
    counts[word] = counts.get(word, 0) + 1
with open("counts.json", "w") as f:
    json.dump(counts, f, sort_keys=True)
print(len(rows), sorted(os.listdir("tree")))`;

const PY_THREADS = `import threading
out = [0] * 4
def work(n):
    out[n] = sum(range(50000 * (n + 1)))
threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
for t in threads: t.start()
for t in threads: t.join()
print(sum(out))`;

const PERL = `open(my $f, "<", "words.txt") or die "words: $!"; my %c;
while (<$f>) { my ($w) = split; $c{$w}++ }
print join(",", map { "$_=$c{$_}" } sort keys %c), "\\n";`;

const NODE = `const fs = require('fs');
const names = fs.readdirSync('tree');
fs.writeFileSync('names.json', JSON.stringify(names));
console.log(names.length, fs.statSync('words.txt').size);`;

/** name, argv, forks, optional stdin (a file of the work dir) and extra setup. */
export const CORPUS = [
  { name: 'ls', argv: ['ls', '-la', 'tree'], forks: false },
  { name: 'cat', argv: ['cat', 'tree/a.txt', 'tree/b.txt'], forks: false },
  { name: 'cp', argv: ['cp', '-r', 'tree', 'copy'], forks: false },
  { name: 'wc', argv: ['wc', '-lwc', 'words.txt', 'tree/a.txt'], forks: false },
  { name: 'sort', argv: ['sort', 'words.txt'], forks: false },
  { name: 'find', argv: ['find', '.', '-type', 'f'], forks: false },
  { name: 'stat', argv: ['stat', 'tree/a.txt'], forks: false },
  { name: 'du', argv: ['du', '-a', 'tree'], forks: false },
  { name: 'date', argv: ['date', '-u', '-d', '@86400'], forks: false },
  { name: 'head', argv: ['head', '-n', '5', 'words.txt'], forks: false },
  { name: 'tail', argv: ['tail', '-n', '5', 'words.txt'], forks: false },
  { name: 'tee', argv: ['tee', 'copy.txt'], forks: false, stdin: 'words.txt' },
  { name: 'sha256sum', argv: ['sha256sum', 'words.txt', 'tree/a.txt'], forks: false },
  { name: 'id', argv: ['id'], forks: false },
  { name: 'uname', argv: ['uname', '-a'], forks: false },
  { name: 'env', argv: ['env'], forks: false },
  { name: 'sleep', argv: ['sleep', '0.05'], forks: false },
  { name: 'grep', argv: ['grep', '-rn', 'alpha', 'tree'], forks: false },
  { name: 'sed', argv: ['sed', '-e', 's/a/A/g', 'words.txt'], forks: false },
  { name: 'awk', argv: ['awk', '{ n += length($0) } END { print NR, n }', 'words.txt'], forks: false },
  { name: 'dd', argv: ['dd', 'if=/dev/zero', 'of=zero.bin', 'bs=4096', 'count=16'], forks: false },
  { name: 'gzip', argv: ['gzip', '-k', '-9', 'words.txt'], forks: false },
  {
    name: 'gunzip',
    argv: ['gzip', '-dc', 'words.txt.gz'],
    forks: false,
    setup: (dir) => execFileSync('gzip', ['-k', 'words.txt'], { cwd: dir }),
  },
  { name: 'tar-c', argv: ['tar', 'cf', 'tree.tar', 'tree'], forks: false },
  {
    name: 'tar-x',
    argv: ['tar', 'xf', 'tree.tar', '-C', 'out'],
    forks: false,
    setup: (dir) => {
      execFileSync('tar', ['cf', 'tree.tar', 'tree'], { cwd: dir });
      mkdirSync(join(dir, 'out'));
    },
  },
  { name: 'tar-czf', argv: ['tar', 'czf', 'tree.tgz', 'tree'], forks: true },
  { name: 'python3', argv: ['python3', '-c', PY_FILES], forks: false },
  { name: 'python3-threads', argv: ['python3', '-c', PY_THREADS], forks: true },
  { name: 'perl', argv: ['perl', '-e', PERL], forks: false },
  { name: 'node', argv: ['node', '-e', NODE], forks: true },
  { name: 'sh-pipeline', argv: sh('sort words.txt | uniq -c | sort -rn | head -n 3'), forks: true },
  { name: 'sh-loop', argv: sh('for f in tree/*.txt; do wc -c "$f"; done > sizes.txt; cat sizes.txt'), forks: true },
  { name: 'sh-xargs', argv: sh("find tree -name '*.txt' | xargs wc -l"), forks: true },
  {
    name: 'sh-fileops',
    argv: sh(
      'mkdir -p d/e && touch d/e/f && chmod 600 d/e/f && mv d/e/f d/g && ln -s g d/l && readlink d/l && rm -r d',
    ),
    forks: true,
  },
  { name: 'make', argv: ['make', '-s'], forks: true },
  {
    name: 'git',
    argv: sh(
      'git init -q repo && cd repo && cp ../tree/*.txt . && git add . && git commit -q -m first && git log --oneline',
    ),
    forks: true,
    needs: 'git',
  },
  // Netlink (NETLINK_ROUTE): getaddrinfo's AI_ADDRCONFIG asks the kernel for the addresses.
  { name: 'getent-ahosts', argv: ['getent', 'ahosts', 'localhost'], forks: false },
  {
    name: 'python3-getaddrinfo',
    argv: ['python3', '-c', "import socket; socket.getaddrinfo('localhost', 80, flags=socket.AI_ADDRCONFIG)"],
    forks: false,
  },
  { name: 'ip-addr', argv: ['ip', 'addr'], forks: false, needs: 'ip' },
  { name: 'ip-route', argv: ['ip', 'route'], forks: false, needs: 'ip' },
];
