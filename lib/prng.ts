/** mulberry32: a tiny seeded PRNG, so that a fault schedule can be replayed from its seed. */
export function mulberry32(seed: number): () => number {
  // Fold the high bits in, so that seeds above 2^32 still differ.
  let state = (seed ^ Math.floor(seed / 2 ** 32)) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
