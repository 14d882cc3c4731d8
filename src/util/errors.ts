/**
 * Errors a user can act on. The CLI prints `oslens: <message>` (one line, no stack) and exits
 * with `exitCode`. Anything else that escapes is a bug and is reported as such.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = 1,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** Exit codes shared by every command, so scripts can tell failures apart. */
export const ExitCode = {
  failure: 1,
  usage: 2,
  noSuchProcess: 3,
  permissionDenied: 4,
  missingCapability: 5,
  interrupted: 130,
} as const;

export function errnoCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}
