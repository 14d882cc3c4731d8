/**
 * The held-out programs of `npm run bench:fidelity -- --corpus heldout`: a second corpus, kept
 * apart from scripts/fidelity/corpus.mjs and from the programs issue 11 names, to check that
 * the decoder was built for the general behaviour and not for the main corpus. Same shape and
 * same inputs (baseSetup) as the main corpus.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const sh = (script) => ['sh', '-c', script];
const bash = (script) => ['bash', '-c', script];

const PY_JSON_SQLITE = `import json, sqlite3, tempfile, os
db = sqlite3.connect("w.db")
db.execute("create table w (word text, n int)")
for line in open("words.txt"):
    w, n = line.split()
    db.execute("insert into w values (?, ?)", (w, int(n)))
db.commit()
rows = db.execute("select word, count(*) from w group by word order by word").fetchall()
with tempfile.NamedTemporaryFile("w", dir=".", delete=False) as f:
    json.dump(rows, f)
os.rename(f.name, "rows.json")
print(len(rows))`;

const PY_ZIP = `import zipfile, os
with zipfile.ZipFile("t.zip", "w", zipfile.ZIP_DEFLATED) as z:
    for root, dirs, files in sorted(os.walk("tree")):
        for n in sorted(files): z.write(os.path.join(root, n))
with zipfile.ZipFile("t.zip") as z:
    print(z.namelist(), z.read("tree/a.txt"))`;

const PY_MP = `import multiprocessing as mp
def sq(x): return x * x
if __name__ == "__main__":
    with mp.get_context("fork").Pool(2) as p:
        print(sum(p.map(sq, range(100))))`;

const PERL_FILES = `use strict; mkdir "pd" or die; opendir(my $d, "tree") or die; my @n = sort grep { !/^\\./ } readdir $d;
closedir $d; for my $n (@n) { next unless -f "tree/$n"; my @s = stat "tree/$n";
open(my $o, ">", "pd/$n.size") or die; print $o "$s[7]\\n"; close $o; }
rename "pd/a.txt.size", "pd/a.size"; unlink "pd/b.txt.size"; print join(" ", @n), "\\n";`;

const NODE_ZLIB = `const zlib = require('zlib'), crypto = require('crypto'), fs = require('fs');
const data = fs.readFileSync('words.txt');
const gz = zlib.gzipSync(data);
fs.writeFileSync('w.gz', gz);
console.log(gz.length > 0, crypto.createHash('sha1').update(data).digest('hex'));`;

const NODE_WORKER = `const { Worker } = require('worker_threads');
const w = new Worker('const { parentPort } = require("worker_threads"); parentPort.postMessage(6 * 7);', { eval: true });
w.on('message', (m) => { console.log(m); w.terminate(); });`;

/** name, argv, forks, optional stdin and setup: as in corpus.mjs. */
export const CORPUS = [
  { name: 'xz', argv: ['xz', '-k', '-6', 'words.txt'], forks: false },
  { name: 'bzip2', argv: ['bzip2', '-k', 'words.txt'], forks: false },
  { name: 'zstd', argv: ['zstd', '-q', '-k', 'words.txt'], forks: false, needs: 'zstd' },
  {
    name: 'xz-d',
    argv: ['xz', '-dc', 'words.txt.xz'],
    forks: false,
    setup: (dir) => execFileSync('xz', ['-k', 'words.txt'], { cwd: dir }),
  },
  {
    name: 'diff',
    argv: ['diff', '-u', 'tree/a.txt', 'tree/b.txt'],
    forks: false,
  },
  { name: 'cmp', argv: ['cmp', '-l', 'tree/a.txt', 'tree/b.txt'], forks: false },
  {
    name: 'patch',
    argv: ['patch', '-s', 'a.txt', 'a.diff'],
    forks: true,
    setup: (dir) => {
      writeFileSync(join(dir, 'a.txt'), 'one\ntwo\nthree\n');
      writeFileSync(join(dir, 'a.diff'), '--- a.txt\n+++ a.txt\n@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n three\n');
    },
  },
  { name: 'base64', argv: ['base64', 'tree/sub/data.bin'], forks: false },
  { name: 'md5sum', argv: ['md5sum', 'words.txt', 'tree/sub/data.bin'], forks: false },
  { name: 'od', argv: ['od', '-Ax', '-tx1z', 'tree/sub/data.bin'], forks: false },
  { name: 'hexdump', argv: ['hexdump', '-C', 'tree/a.txt'], forks: false },
  { name: 'file', argv: ['file', 'words.txt', 'tree/sub/data.bin', 'tree'], forks: false },
  { name: 'cut-paste', argv: sh('cut -d" " -f1 words.txt | paste -sd, - | fold -w 60 | tr a-z A-Z'), forks: true },
  {
    name: 'join-comm',
    argv: bash('join <(sort tree/a.txt) <(sort tree/b.txt); comm -3 <(sort tree/a.txt) <(sort tree/b.txt)'),
    forks: true,
  },
  { name: 'seq-shuf', argv: sh('seq 1 500 | shuf --random-source=words.txt | uniq | tail -n 2'), forks: true },
  { name: 'find-exec', argv: ['find', 'tree', '-name', '*.txt', '-exec', 'md5sum', '{}', '+'], forks: true },
  { name: 'split', argv: ['split', '-l', '100', 'words.txt', 'part.'], forks: false },
  { name: 'csplit', argv: ['csplit', '-s', 'words.txt', '/ 150$/'], forks: false },
  { name: 'iconv', argv: ['iconv', '-f', 'UTF-8', '-t', 'UTF-16LE', 'tree/a.txt', '-o', 'a16.txt'], forks: false },
  { name: 'locale', argv: ['locale'], forks: false },
  { name: 'env-i', argv: ['env', '-i', 'PATH=/usr/bin:/bin', 'sh', '-c', 'echo $PATH'], forks: true },
  { name: 'nproc-whoami', argv: sh('nproc; whoami; groups; hostname'), forks: true },
  { name: 'stat-f', argv: ['stat', '-f', '.'], forks: false },
  { name: 'df', argv: ['df', '-h', '.'], forks: false },
  {
    name: 'python3-json-tool',
    argv: ['python3', '-m', 'json.tool', 'in.json'],
    forks: false,
    setup: (dir) => writeFileSync(join(dir, 'in.json'), '{"b": [1, 2, {"c": null}], "a": "x"}'),
  },
  { name: 'python3-sqlite', argv: ['python3', '-c', PY_JSON_SQLITE], forks: false },
  { name: 'python3-zipfile', argv: ['python3', '-c', PY_ZIP], forks: false },
  { name: 'python3-mp', argv: ['python3', '-c', PY_MP], forks: true },
  { name: 'perl-files', argv: ['perl', '-e', PERL_FILES], forks: false },
  { name: 'node-zlib', argv: ['node', '-e', NODE_ZLIB], forks: true },
  { name: 'node-worker', argv: ['node', '-e', NODE_WORKER], forks: true },
  {
    name: 'bash-heredoc',
    argv: bash(
      'while read w n; do echo "$n:$w"; done < <(head -n 20 words.txt) > o.txt; cat <<EOT | wc -l\n$(cat o.txt)\nEOT',
    ),
    forks: true,
  },
  { name: 'openssl', argv: ['openssl', 'dgst', '-sha256', 'words.txt'], forks: false, needs: 'openssl' },
  { name: 'gpg-version', argv: ['gpg', '--version'], forks: false, needs: 'gpg' },
  { name: 'tee-split', argv: sh('tee t1.txt < words.txt | split -n 3 - chunk.; ls chunk.*'), forks: true },
];
