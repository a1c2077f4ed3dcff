/**
 * A TTL with up to `jitter` × base added at random (jitter 0.1: 10 min becomes 10–11 min), so entries
 * filled at the same moment do not all expire at the same moment and stampede together.
 */
export function jitteredTtlMs(baseMs: number, jitter: number, random: () => number = Math.random): number {
  return baseMs + Math.floor(random() * baseMs * jitter);
}
