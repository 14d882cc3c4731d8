/** Clocks, sleeps and timers. */
import { S, type Spec } from '../types.js';

export const TIME_SPECS: Record<string, Spec> = {
  nanosleep: S('timespec timespec_rem'),
  clock_nanosleep: S('clockid timerflags timespec timespec_rem'),
  clock_gettime: S('clockid timespec_out'),
  clock_getres: S('clockid timespec_out'),
  clock_settime: S('clockid timespec'),
  gettimeofday: S('timeval_out timezone_out'),
  settimeofday: S('timeval ptr'),
  time: S('time_out', 'time'),
  times: S('tms_out', 'ulong'),
  getitimer: S('itimer itimerval_out'),
  setitimer: S('itimer itimerval itimerval_out'),
  timer_create: S('clockid sigevent timerid_out'),
  timer_settime: S('int timerflags itimerspec itimerspec_out'),
  timer_gettime: S('int itimerspec_out'),
  timer_getoverrun: S('int'),
  timer_delete: S('int'),
};
