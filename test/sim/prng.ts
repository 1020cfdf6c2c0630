// A small seeded PRNG (sfc32, seeded through splitmix32) so that a seed reproduces a whole
// simulation run bit for bit. Math.random is never used by the simulator.

/** splitmix32: spreads a (possibly small, sequential) seed over all 32 bits. */
function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad) >>> 0;
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97) >>> 0;
    return (z ^ (z >>> 15)) >>> 0;
  };
}

/** FNV-1a of a label, used to derive independent streams (`fork('network')`). */
function hashLabel(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  readonly seed: number;

  constructor(seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`bad seed ${seed}`);
    this.seed = seed;
    // Mix both halves of a seed above 2^32 so that every safe integer gives its own stream.
    const mix = splitmix32((seed >>> 0) ^ Math.imul(Math.floor(seed / 2 ** 32), 0x85ebca6b));
    this.a = mix();
    this.b = mix();
    this.c = mix();
    this.d = mix();
    // sfc32 needs a short warm-up before its output is well mixed.
    for (let i = 0; i < 12; i++) this.nextU32();
  }

  /** sfc32 by Chris Doty-Humphrey (PractRand): 128-bit state, passes BigCrush. */
  nextU32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.nextU32() / 2 ** 32;
  }

  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number {
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || max < min) {
      throw new RangeError(`bad range [${min}, ${max}]`);
    }
    return min + Math.floor(this.float() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.float() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[this.int(0, items.length - 1)] as T;
  }

  /** Fisher-Yates, in place; returns the same array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }

  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.nextU32() & 0xff;
    return out;
  }

  /**
   * An independent stream derived from this generator's seed and a label. Streams do not
   * consume from their parent, so adding draws in one component never shifts another's.
   */
  fork(label: string): Prng {
    return new Prng(hashLabel(`${this.seed}/${label}`));
  }
}
