/**
 * The normaliser of `npm run bench:fidelity` (pure: text in, text out). It reads a trace in
 * strace's format (`strace -o FILE`, with or without -f), gives every task a name that does not
 * depend on the run (the root is `1`, the k-th child a task created is `PARENT.k`, in the order of
 * its parent's clone/fork returns), and rewrites ONLY the values that change from one run of the
 * same program to the next: addresses, pids and tids, inodes, ports, the bytes of getrandom,
 * clock readings and file times. Everything else, spacing included, is left as printed, so that
 * two lines are equal after normalisation exactly when a reader would call them the same.
 */

/** `strace -f -o FILE` starts every line with `%-5d ` (the pid, left-aligned in five columns). */
const PREFIX = /^(\d+) +/;
const CLONES = new Set(['clone', 'clone3', 'fork', 'vfork']);
/** Calls that return the caller's own pid or tid: how a trace without -f names its task. */
const SELF = new Set(['set_tid_address', 'getpid', 'gettid']);
/** Calls whose struct output is a clock reading or a counter of the machine's life. */
const CLOCK_OUT = new Set([
  'clock_gettime',
  'clock_gettime64',
  'gettimeofday',
  'timerfd_gettime',
  'timer_gettime',
  'sysinfo',
  'times',
  'getrusage',
  'wait4',
  'waitid',
]);
/** Calls whose timeout is a point on a clock, not a length, when their flags say so. */
const ABSOLUTE_TIMEOUT = { futex: /FUTEX_WAIT_BITSET|FUTEX_LOCK_PI/, clock_nanosleep: /TIMER_ABSTIME/ };
/** Calls that return an address. */
const ADDRESS_RET = new Set(['brk', 'mmap', 'mremap', 'shmat']);
/** Calls whose return value is a clock reading. */
const CLOCK_RET = new Set(['time', 'times']);
/** Seconds since the epoch (2001 and later): a timestamp, whatever the call. */
const EPOCH_SECONDS = 1e9;

/** The kind and syscall name of a line body (the text after any pid prefix). */
export function lineKind(body) {
  if (body.startsWith('+++')) return { kind: 'exit', name: '+++' };
  if (body.startsWith('---')) return { kind: 'signal', name: '---' };
  let m = /^<\.\.\. ([\w]+) resumed>/.exec(body);
  if (m) return { kind: 'resumed', name: m[1] };
  m = /^([\w]+)\(/.exec(body);
  if (m) return { kind: body.endsWith('<unfinished ...>') ? 'unfinished' : 'call', name: m[1] };
  return { kind: 'other', name: '?' };
}

/** Splits a line into quoted strings (strace's `"..."`, escapes kept) and the text between. */
export function splitStrings(text) {
  const parts = [];
  const re = /"(?:[^"\\]|\\.)*"/g;
  let at = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > at) parts.push({ str: false, text: text.slice(at, m.index) });
    parts.push({ str: true, text: m[0] });
    at = m.index + m[0].length;
  }
  if (at < text.length) parts.push({ str: false, text: text.slice(at) });
  return parts;
}

/** The return value of a finished call line (`... = 3`, `... = -1 ENOENT (...)`), else null. */
export function returnValue(body) {
  const parts = splitStrings(body);
  const last = parts[parts.length - 1];
  if (!last || last.str) return null;
  const m = /\) += (\S+)(?: .*)?$/.exec(last.text) ?? /^<\.\.\. \w+ resumed>\s+= (\S+)/.exec(last.text);
  return m ? m[1] : null;
}

/** Parses a trace file's text into lines with their pid (null without a prefix) and body. */
export function parseTrace(text) {
  const lines = [];
  for (const raw of text.split('\n')) {
    if (raw === '') continue;
    const m = PREFIX.exec(raw);
    if (m)
      lines.push({
        raw,
        pid: Number(m[1]),
        prefixOk: m[0] === m[1].padEnd(5) + ' ',
        prefixLen: m[0].length,
        body: raw.slice(m[0].length),
      });
    else lines.push({ raw, pid: null, prefixOk: false, prefixLen: 0, body: raw });
  }
  return lines;
}

/**
 * Canonical task names for the pids of a parsed trace: the root (the first prefixed pid, or,
 * without prefixes, the value its first set_tid_address/getpid/gettid returned) is `1`, and the
 * children of task N, in the order N's clone/fork calls returned them, are `N.1`, `N.2`, ...
 * Pids never returned by a clone (a parent whose call was lost) are `?1`, `?2`, ... by first
 * appearance; the tracer's own pid, which the root sees as its parent, is `TRACER`.
 */
export function nameTasks(lines, tracerPid) {
  let root = lines.find((l) => l.pid !== null)?.pid ?? null;
  if (root === null)
    for (const l of lines) {
      const { name } = lineKind(l.body);
      const ret = returnValue(l.body);
      if (SELF.has(name) && ret && /^\d+$/.test(ret)) {
        root = Number(ret);
        break;
      }
    }
  const children = new Map();
  const seen = [];
  for (const l of lines) {
    const pid = l.pid ?? root;
    if (pid !== null && !seen.includes(pid)) seen.push(pid);
    const { name } = lineKind(l.body);
    if (!CLONES.has(name)) continue;
    const ret = returnValue(l.body);
    if (!ret || !/^\d+$/.test(ret) || ret === '0') continue;
    if (!children.has(pid)) children.set(pid, []);
    children.get(pid).push(Number(ret));
  }
  const names = new Map();
  if (tracerPid !== undefined && tracerPid !== null) names.set(tracerPid, 'TRACER');
  if (root !== null) {
    const queue = [[root, '1']];
    names.set(root, '1');
    while (queue.length) {
      const [pid, name] = queue.shift();
      (children.get(pid) ?? []).forEach((child, k) => {
        if (names.has(child)) return;
        names.set(child, `${name}.${k + 1}`);
        queue.push([child, `${name}.${k + 1}`]);
      });
    }
  }
  let unknown = 0;
  for (const pid of seen) if (!names.has(pid)) names.set(pid, `?${++unknown}`);
  return { root, names };
}

const NETLINK_CALLS = new Set(['sendto', 'recvfrom', 'sendmsg', 'recvmsg', 'getsockname']);

function normaliseText(text, name, names) {
  const clock = CLOCK_OUT.has(name) || ABSOLUTE_TIMEOUT[name]?.test(text);
  let t = text
    .replace(/0x[0-9a-f]{8,}/g, '0xADDR')
    // execve's envp is an address in the tracer, of any size: `0x7ffd... /* 13 vars */`.
    .replace(/0x[0-9a-f]+(?= \/\* \d+ vars? \*\/)/g, '0xADDR')
    // getdents64's buffer is on the heap, whose start is random even in a non-PIE program
    // (python3's: `0x1bb4eb0 /* 208 entries */` in one run, `0x3649aeb0` in the next).
    .replace(/0x[0-9a-f]+(?= \/\* \d+ entries \*\/)/g, '0xADDR')
    .replace(/\b((?:st_|stx_|d_)?ino)=\d+/g, '$1=INO')
    .replace(/\b((?:st|stx)_[amcb]time(?:_nsec)?)=(?:\{[^}]*\}|-?\d+)/g, '$1=TIME')
    .replace(/\/\* \d{4}-\d\d-\d\dT[^*]*\*\//g, '/* DATE */')
    .replace(/\b(sin6?_port=htons\()\d+\)/g, '$1PORT)')
    .replace(/\b(tv_nsec|tv_usec)=\d+/g, '$1=N')
    .replace(/\b(si_[us]time)=\d+(?: \/\* [\d.]+ s \*\/)?/g, '$1=N')
    .replace(/\b(tv_sec)=(\d+)/g, (all, k, v) => (clock || Number(v) >= EPOCH_SECONDS ? `${k}=N` : all));
  if (
    CLOCK_OUT.has(name) &&
    (name === 'sysinfo' || name === 'times' || name === 'getrusage' || name.startsWith('wait'))
  )
    t = t.replace(/\b((?:ru|tms)_\w+|uptime|freeram|sharedram|bufferram|freeswap|procs|freehigh)=\d+/g, '$1=N');
  // A file system's free blocks and inodes change between two runs (other writers on the disk).
  if (name === 'statfs' || name === 'fstatfs') t = t.replace(/\b(f_bfree|f_bavail|f_ffree)=\d+/g, '$1=N');
  if (name === 'sysinfo') t = t.replace(/loads=\[[^\]]*\]/g, 'loads=[N]');
  // Netlink: glibc and iproute2 number their requests by the clock (nlmsg_seq = time(NULL)), the
  // kernel gives a process's second socket a random negative port id, and a link's traffic
  // counters, an address's remaining lifetimes and a route's cache times move between two runs.
  if (NETLINK_CALLS.has(name))
    t = t
      .replace(/\bnlmsg_seq=\d+/g, 'nlmsg_seq=N')
      .replace(/\b(nlmsg_pid|nl_pid)=-\d+/g, '$1=PORTID')
      .replace(/\b((?:rx|tx)_\w+|multicast|collisions|ifa_prefered|ifa_valid|rta_\w+)=\d+/g, '$1=N');
  return t.replace(/(?<![\w.])(\d+)(?![\w.])/g, (all, v) => names.get(Number(v)) ?? all);
}

/** One line body with its run-dependent values replaced (see the file comment). */
export function normaliseBody(body, names) {
  const { name } = lineKind(body);
  let firstString = true;
  const out = splitStrings(body)
    .map((p) => {
      if (!p.str) return normaliseText(p.text, name, names);
      const isFirst = firstString;
      firstString = false;
      if (name === 'getrandom' && isFirst) return '"RANDOM"';
      return p.text.replace(/\/proc\/(\d+)(?=\/|")/g, (all, v) => {
        const n = names.get(Number(v));
        return n ? `/proc/${n}` : all;
      });
    })
    .join('');
  // The heap's and mappings' addresses are random even in a non-PIE program, small as they are.
  if (ADDRESS_RET.has(name))
    return out.replace(/(\) += )0x[0-9a-f]+$/, '$10xADDR').replace(/^brk\(0x[0-9a-f]+\)/, 'brk(0xADDR)');
  if (CLOCK_RET.has(name)) return out.replace(/(\) += )\d+$/, '$1TIME');
  if (name === 'getppid') return out.replace(/(\) += )\d+$/, (all, k) => (all.endsWith('TRACER') ? all : `${k}PPID`));
  return out;
}

/**
 * Where ` = ` of a finished call line is, and whether it is where strace's tabto() puts it: `) `
 * padded to column 40 of the whole line (prefix included), or one space past it.
 */
export function returnColumn(body, prefixLen) {
  const at = callClose(body);
  if (at < 0) return null;
  const m = /^\) ( *)= /.exec(body.slice(at));
  if (!m) return null;
  const spaces = m[1].length + 1;
  return { at, spaces, aligned: spaces === Math.max(1, 40 - prefixLen - at - 1) };
}

/**
 * Where the `)` that closes the call's arguments is (outside strings and nested brackets), or
 * -1: the return text after it may hold `=`, `)` and brackets of its own (`= 1 ([{fd=3, ...}])`).
 */
export function callClose(body) {
  let depth = body.startsWith('<... ') ? 1 : 0;
  let at = 0;
  for (const p of splitStrings(body)) {
    if (!p.str)
      for (let i = 0; i < p.text.length; i++) {
        const c = p.text[i];
        if (c === '(' || c === '[' || c === '{') depth++;
        else if (c === ')' || c === ']' || c === '}') {
          depth--;
          if (depth === 0 && c === ')') return at + i;
        }
      }
    at += p.text.length;
  }
  return -1;
}

/**
 * normaliseBody, and the spaces before ` = ` made canonical when they are where strace puts
 * them: an address replaced by 0xADDR changes the width before ` = `, and so strace's own
 * padding, from run to run. A line padded otherwise keeps its spaces and is marked `!pad `.
 */
function normaliseAligned(body, names, prefixLen) {
  const col = returnColumn(body, prefixLen);
  if (!col) return normaliseBody(body, names);
  const head = body.slice(0, col.at + 1);
  const tail = body.slice(col.at + 1 + col.spaces);
  if (!col.aligned) return '!pad ' + normaliseBody(body, names);
  const norm = normaliseBody(head + ' ' + tail, names);
  return norm;
}

/**
 * Files whose bytes differ in every run: random devices, and a task's memory map (its addresses
 * are random under ASLR; glibc's pthread_getattr_np reads /proc/self/maps).
 */
const RANDOM_DEVICE = /^(?:openat\(AT_FDCWD, |open\()"(?:\/dev\/u?random|\/proc\/(?:self|\d+)\/maps)", .*\) += (\d+)$/;

/**
 * Follows the descriptors a task opened on /dev/urandom, /dev/random or /proc/self/maps (`fds`:
 * its set), and returns `norm` with the bytes a read from one of them returned as "RANDOM" (perl
 * and others read their hash seed there, as getrandom's bytes).
 */
function randomReads(fds, body, norm) {
  const open = RANDOM_DEVICE.exec(body);
  if (open) fds.add(open[1]);
  const close = /^close\((\d+)\)/.exec(body);
  if (close) fds.delete(close[1]);
  const read = /^read\((\d+), "/.exec(body);
  if (!read || !fds.has(read[1])) return norm;
  return norm.replace(/"(?:[^"\\]|\\.)*"(?:\.\.\.)?/, '"RANDOM"');
}

/**
 * A whole trace, normalised and grouped by task: `tasks` maps a canonical task name to its lines
 * (`norm`: what is compared; `raw`: what was printed). With `follow`, a line whose pid prefix is
 * missing or not strace's `%-5d ` is marked (`!prefix `) so that it never equals strace's.
 *
 * A call that strace split into `name(args <unfinished ...>` and `<... name resumed>rest` is
 * joined back into one line (`merged: true`, the spaces before ` = ` reduced to one): where the
 * split falls depends on how the tasks happened to interleave, not on the tracer, and two runs of
 * strace itself split differently. The pieces are still compared, joined.
 */
export function normaliseTrace(text, { follow, tracerPid } = {}) {
  const lines = parseTrace(text);
  const { root, names } = nameTasks(lines, tracerPid);
  const tasks = new Map();
  const open = new Map();
  const randomFds = new Map();
  const fdsOf = (task) => randomFds.get(task) ?? randomFds.set(task, new Set()).get(task);
  const add = (task, body, raw, bad, merged, prefixLen) => {
    if (!tasks.has(task)) tasks.set(task, []);
    const norm = randomReads(fdsOf(task), body, normaliseAligned(body, names, prefixLen));
    const line = { norm: (bad ? '!prefix ' : '') + norm, raw, merged };
    tasks.get(task).push(line);
    return line;
  };
  for (const l of lines) {
    const pid = l.pid ?? root;
    const task = pid === null ? '1' : (names.get(pid) ?? '1');
    const bad = (follow && !l.prefixOk) || (!follow && l.pid !== null);
    const { kind, name } = lineKind(l.body);
    const held = open.get(task);
    open.delete(task);
    if (held && kind === 'resumed' && held.name === name) {
      // Joined as strace prints an unsplit call: ` = ` padded to column 40 of the whole line.
      const head = held.l.body.replace(/ <unfinished \.\.\.>$/, '');
      const joined = head + l.body.slice(`<... ${name} resumed>`.length);
      const close = callClose(joined);
      const tail = close < 0 ? null : /^\) += /.exec(joined.slice(close));
      const body = tail
        ? joined.slice(0, close) +
          ') '.padEnd(Math.max(2, 40 - held.l.prefixLen - close), ' ') +
          '= ' +
          joined.slice(close + tail[0].length)
        : joined;
      const norm = randomReads(fdsOf(task), body, normaliseAligned(body, names, held.l.prefixLen));
      held.line.norm = (held.bad || bad ? '!prefix ' : '') + norm;
      held.line.raw += '\n' + l.raw;
      held.line.merged = true;
      continue;
    }
    const line = add(task, l.body, l.raw, bad, false, l.prefixLen);
    if (kind === 'unfinished') open.set(task, { name, l, line, bad });
  }
  return tasks;
}
