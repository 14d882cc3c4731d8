/** System V IPC (shared memory, semaphores, message queues) and POSIX message queues. */
import { S, type Spec } from '../types.js';

const O_CREAT = 0o100n;

/** mq_open shows its mode and attr only with O_CREAT. */
const mqOpenShown = (raw: bigint[]): number => ((raw[1] ?? 0n) & O_CREAT ? 4 : 2);

export const IPC_SPECS: Record<string, Spec> = {
  shmget: S('ipckey uint shmgetflags'),
  shmat: S('int ptr shmatflags', 'hex'),
  shmdt: S('ptr'),
  shmctl: S('int shmctlcmd shmid_ds'),
  semget: S('ipckey int ipcgetflags'),
  semop: S('int sembufs:2 uint'),
  semtimedop: S('int sembufs:2 uint timespec'),
  semctl: S('int int semctlcmd ptr'),
  msgget: S('ipckey ipcgetflags'),
  msgsnd: S('int ptr uint msgflags_ipc'),
  msgrcv: S('int ptr uint int msgflags_ipc'),
  msgctl: S('int msgctlcmd ptr'),
  mq_open: S('path mqoflags mode mqattr', 'fd', mqOpenShown),
  mq_unlink: S('path'),
  mq_timedsend: S('fd bufin:2 uint uint timespec'),
  mq_timedreceive: S('fd bufout uint uint_out timespec'),
  mq_getsetattr: S('fd mqattr mqattr_out'),
  mq_notify: S('fd ptr'),
};
