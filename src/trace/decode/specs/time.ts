/** Clocks, sleeps and timers. */
import { S, type Spec } from '../types.js';

export const TIME_SPECS: Record<string, Spec> = {
  nanosleep: S('timespec timespec_out'),
  clock_nanosleep: S('clockid hex timespec timespec_out'),
  clock_gettime: S('clockid timespec_out'),
};
