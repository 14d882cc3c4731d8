/** A crash in a thread kills its siblings; a crash in a child process does not. */
import type { Demo } from './types.js';
import { num, runHelper } from './helper.js';

export const threadCrash: Demo = {
  id: 'thread-crash',
  title: 'a crash in a thread kills its siblings, a crash in a child process does not',
  mistake: 'thread-vs-process-isolation',
  models: ['thread', 'process', 'ipc'],
  claim:
    'An unhandled SIGSEGV in one thread ends every thread of the process; the same crash in a forked child leaves the parent running.',
  async run(ctx) {
    ctx.log('helper: three threads, thread 0 dereferences NULL');
    const t = runHelper(['crash-thread']);
    const done = (t.stdout.match(/ done$/gm) ?? []).length;
    const ticks = (t.stdout.match(/tick=/g) ?? []).length;
    ctx.log('helper: fork a child that dereferences NULL, a sibling thread keeps working');
    const p = runHelper(['crash-child']);
    const childSig = num(p.kv, 'child_signal');
    const threadDied = t.signal === 'SIGSEGV' && done === 0 && t.kv.survived === undefined;
    const parentLived = p.status === 0 && p.kv.survived === '1' && childSig === 11;
    return {
      status: 'done',
      measurements: [
        { label: 'threaded helper ended by', value: t.signal ?? `exit ${t.status}` },
        { label: 'sibling threads that finished', value: `${done} of 2` },
        { label: 'ticks printed before the crash', value: ticks },
        { label: 'forking helper: child ended by', value: childSig === 11 ? 'SIGSEGV' : `signal ${childSig}` },
        { label: 'forking helper: parent exit status', value: p.status ?? `signal ${p.signal}` },
        { label: 'sibling thread in the parent finished', value: /worker=1 done/.test(p.stdout) ? 'yes' : 'no' },
      ],
      holds: threadDied && parentLived,
      verdict:
        threadDied && parentLived
          ? 'the thread crash took the whole process down, siblings included; the child crash was reported to the parent by wait4 and the parent finished normally.'
          : 'the processes did not behave as claimed on this machine; see the measurements.',
      notes: ['Core dumps are disabled in the helper (RLIMIT_CORE 0), so the crashes leave no files.'],
    };
  },
};
