/** Signals: handlers, masks, sending, waiting for them, the alternate stack. */
import { S, type Spec } from '../types.js';

export const SIGNAL_SPECS: Record<string, Spec> = {
  rt_sigaction: S('signal sigaction sigaction_out uint'),
  rt_sigprocmask: S('sighow sigset:3 sigset_out:3 uint'),
  rt_sigpending: S('sigset_out:1 uint'),
  rt_sigsuspend: S('sigset:1 uint'),
  rt_sigtimedwait: S('sigset:3 siginfo_out timespec uint', 'signo'),
  rt_sigqueueinfo: S('int signal siginfo'),
  rt_tgsigqueueinfo: S('int int signal siginfo'),
  rt_sigreturn: S('sigframe'),
  kill: S('int signal'),
  tkill: S('int signal'),
  tgkill: S('int int signal'),
  alarm: S('uint'),
  pause: S(''),
  sigaltstack: S('stack stack_out'),
};
