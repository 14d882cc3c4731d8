/** `oslens completion bash|zsh` and `oslens man`: generated from the command definitions (docs.ts). */
import type { Command } from 'commander';
import { ExitCode, UserError } from '../util/errors.js';
import { packageVersion } from '../util/package.js';
import { bashCompletion, manPage, zshCompletion } from './docs.js';

/** The root program (a command's parent chain ends there). */
function root(cmd: Command): Command {
  let c = cmd;
  while (c.parent) c = c.parent;
  return c;
}

export function register(program: Command): void {
  program
    .command('completion')
    .description('print a shell completion script (bash or zsh) for oslens')
    .argument('<shell>', 'bash or zsh')
    .addHelpText(
      'after',
      '\nInstall:\n  bash: oslens completion bash > /etc/bash_completion.d/oslens   (or: source <(oslens completion bash))\n' +
        '  zsh:  oslens completion zsh > "${fpath[1]}/_oslens"            (or: source <(oslens completion zsh))',
    )
    .action((shell: string, _flags: unknown, cmd: Command) => {
      const p = root(cmd);
      if (shell === 'bash') process.stdout.write(bashCompletion(p));
      else if (shell === 'zsh') process.stdout.write(zshCompletion(p));
      else throw new UserError(`completion: unknown shell "${shell}"; valid: bash, zsh`, ExitCode.usage);
    });
  program
    .command('man')
    .description('print the oslens(1) man page (roff), generated from the command definitions')
    .addHelpText('after', '\nRead it: oslens man | man -l -\nInstall: oslens man > /usr/local/share/man/man1/oslens.1')
    .action((_flags: unknown, cmd: Command) => {
      process.stdout.write(manPage(root(cmd), packageVersion()));
    });
}
