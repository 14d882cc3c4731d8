/**
 * NETLINK_AUDIT as strace 6 prints it (sudo, su, login, cron report to the audit daemon): the
 * message types are named, the payloads are bytes (strace has no decoder for them).
 */
import * as NL from '../../netlink-flags.js';
import { registerNetlinkFamily } from './netlink.js';

registerNetlinkFamily(9, {
  types: NL.AUDIT_TYPES,
  unknownType: 'AUDIT_???',
  flags: () => undefined,
  payload: () => null,
});
