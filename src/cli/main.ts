/** The oslens entry point (bin/oslens loads this): runs the program from program.ts. */
// First: it records the caller's stdio flags before the lines below touch process.stdout.
import '../util/caller.js';
import { ExitCode } from '../util/errors.js';
import { main } from './program.js';

// `oslens ... | head` closes stdout early: that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  () => {
    process.exitCode = ExitCode.failure;
  },
);
