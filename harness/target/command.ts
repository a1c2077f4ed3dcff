import { spawn } from 'node:child_process';
import { COMMAND_TIMEOUT_MS } from '../../contract/target.ts';

/** What a placeholder's value may hold: nothing a shell would read specially, so templates need no quoting. */
const SAFE_VALUE = /^[A-Za-z0-9._:-]+$/;

/** A command of the target description that could not run, failed, or took too long. */
export class CommandError extends Error {
  override readonly name = 'CommandError';
}

/** Replaces each `{placeholder}` of `template` by its value; an unknown placeholder is an error. */
export function fillTemplate(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{([A-Za-z]+)\}/g, (_, name: string) => {
    if (!(name in values))
      throw new CommandError(`"${template}" has a placeholder {${name}} this command does not fill`);
    const value = String(values[name]);
    if (!SAFE_VALUE.test(value)) throw new CommandError(`{${name}} would be ${JSON.stringify(value)}`);
    return value;
  });
}

/**
 * Runs one command of a target description (`sh -c`), its placeholders filled; resolves with its
 * stdout, rejects with CommandError (naming the command, its exit and the end of its stderr) when it
 * exits non-zero or outlives `timeoutMs`, and is then killed.
 */
export function runCommand(
  template: string,
  values: Record<string, string | number> = {},
  { timeoutMs = COMMAND_TIMEOUT_MS }: { timeoutMs?: number } = {},
): Promise<string> {
  const line = fillTemplate(template, values);
  return new Promise((resolve, reject) => {
    // Its own process group, so a timeout kills what the shell started too.
    const child = spawn('sh', ['-c', line], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        // already gone
      }
    }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new CommandError(`\`${line}\` could not start: ${e.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const stderr = Buffer.concat(err).toString('utf8').trim().slice(-500);
      if (timedOut) reject(new CommandError(`\`${line}\` took longer than ${timeoutMs} ms; killed`));
      else if (code !== 0)
        reject(
          new CommandError(
            `\`${line}\` exited ${signal ?? code}${stderr ? `: ${stderr.replace(/\s+/g, ' ')}` : ''}`,
          ),
        );
      else resolve(Buffer.concat(out).toString('utf8'));
    });
  });
}
