/** Credentials: user and group ids, supplementary groups, capabilities. */
import { S, type Spec } from '../types.js';

export const CRED_SPECS: Record<string, Spec> = {
  getuid: S(''),
  geteuid: S(''),
  getgid: S(''),
  getegid: S(''),
  setuid: S('uid'),
  setgid: S('uid'),
  setfsuid: S('uid'),
  setfsgid: S('uid'),
  setreuid: S('uid uid'),
  setregid: S('uid uid'),
  setresuid: S('uid uid uid'),
  setresgid: S('uid uid uid'),
  getresuid: S('uid_out uid_out uid_out'),
  getresgid: S('uid_out uid_out uid_out'),
  getgroups: S('int gids_out'),
  setgroups: S('int gids:0'),
  capget: S('cap_header cap_data_out'),
  capset: S('cap_header cap_data'),
};
