/**
 * Ctrl-C in black-box mode: nothing of the target is the runner's to stop, but every fault must be
 * healed and the run recorded. Runs the registered handlers (newest first) on SIGINT or SIGTERM, then
 * exits 130. (Natively the stack's own clean-up registry plays this part, stack/cleanup.ts.)
 */
const handlers: Array<() => Promise<void>> = [];
let interrupted = false;

function onSignal(): void {
  if (interrupted) return;
  interrupted = true;
  void (async () => {
    for (const fn of [...handlers].reverse()) await fn().catch(() => undefined);
    process.exit(130);
  })();
}

/** Runs `fn` if this process is interrupted; returns the function that unregisters it. */
export function onInterrupt(fn: () => Promise<void>): () => void {
  if (handlers.length === 0) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  handlers.push(fn);
  return () => {
    const at = handlers.indexOf(fn);
    if (at >= 0) handlers.splice(at, 1);
    if (handlers.length === 0) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  };
}
