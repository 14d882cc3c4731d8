/** Signals: handlers, masks, sending. */
import { S, type Spec } from '../types.js';

export const SIGNAL_SPECS: Record<string, Spec> = {
  rt_sigaction: S('signal sigaction sigaction_out uint'),
  rt_sigprocmask: S('sighow sigset sigset_out uint'),
  rt_sigreturn: S(''),
  kill: S('int signal'),
  tkill: S('int signal'),
  tgkill: S('int int signal'),
  alarm: S('uint'),
  pause: S(''),
  sigaltstack: S('ptr ptr'),
};
