/**
 * A graceful stop as a deploy tool makes it: SIGTERM, then SIGKILL if the process has not exited
 * `killAfterMs` later. Resolves once it has exited.
 */
export async function terminateWithin(
  proc: { kill(signal: NodeJS.Signals): void; readonly exited: Promise<unknown> },
  killAfterMs: number,
): Promise<void> {
  proc.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), killAfterMs);
  });
  const exited = await Promise.race([proc.exited, late]);
  clearTimeout(timer);
  if (exited === 'late') {
    proc.kill('SIGKILL');
    await proc.exited;
  }
}
