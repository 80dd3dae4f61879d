/**
 * Deterministic randomness: every random quantity of the simulated building is a pure function
 * of (seed, what, when), so the same scenario gives byte-identical values however it is stepped.
 */

/** FNV-1a of the text, as an unsigned 32-bit integer. */
export function hash32(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  // Final avalanche (murmur3 fmix32) so that neighbouring keys do not give neighbouring values.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Uniform in [0, 1) for the key. */
export function uniform(...key: (string | number)[]): number {
  return hash32(key.join('\u0001')) / 4294967296;
}

/** Approximately standard normal for the key (sum of four uniforms, rescaled). */
export function normal(...key: (string | number)[]): number {
  let sum = 0;
  for (let i = 0; i < 4; i++) sum += uniform(...key, i);
  return (sum - 2) * Math.sqrt(3);
}
