/**
 * Distinct counting with flat memory: exact (a Set) up to `cap` values, then a HyperLogLog sketch
 * (4096 registers, ~1.6 % standard error) that every value seen so far is folded into.
 */
const PRECISION = 12;
const REGISTERS = 1 << PRECISION;

export class DistinctCounter {
  readonly #cap: number;
  #exact: Set<string> | undefined = new Set<string>();
  #registers: Uint8Array | undefined;

  constructor(cap: number) {
    this.#cap = cap;
  }

  add(value: string): void {
    if (this.#exact) {
      this.#exact.add(value);
      if (this.#exact.size > this.#cap) this.#switchToSketch();
      return;
    }
    addToSketch(this.#registers as Uint8Array, value);
  }

  /** Whether the count is exact (false once the cap was passed). */
  get exact(): boolean {
    return this.#exact !== undefined;
  }

  get count(): number {
    return this.#exact ? this.#exact.size : estimate(this.#registers as Uint8Array);
  }

  #switchToSketch(): void {
    const registers = new Uint8Array(REGISTERS);
    for (const value of this.#exact as Set<string>) addToSketch(registers, value);
    this.#registers = registers;
    this.#exact = undefined;
  }
}

function addToSketch(registers: Uint8Array, value: string): void {
  const hash = hash32(value);
  const index = hash >>> (32 - PRECISION);
  const rest = (hash << PRECISION) >>> 0;
  const rank = rest === 0 ? 32 - PRECISION + 1 : Math.clz32(rest) + 1;
  if (rank > (registers[index] as number)) registers[index] = rank;
}

function estimate(registers: Uint8Array): number {
  let sum = 0;
  let zeros = 0;
  for (const register of registers) {
    sum += 2 ** -register;
    if (register === 0) zeros++;
  }
  const alpha = 0.7213 / (1 + 1.079 / REGISTERS);
  const raw = (alpha * REGISTERS * REGISTERS) / sum;
  if (raw <= 2.5 * REGISTERS && zeros > 0) return Math.round(REGISTERS * Math.log(REGISTERS / zeros));
  return Math.round(raw);
}

/** FNV-1a over UTF-16 code units, then murmur3's finaliser for avalanche. */
export function hash32(value: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) {
    hash ^= value.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}
