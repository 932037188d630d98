/** Random numbers from a 32-bit seed (the mulberry32 generator), so a simulator run can be repeated. */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Returns a number in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let mixed = this.state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** Returns a number in [min, max), or min when they are equal. */
  between(min: number, max: number): number {
    return min === max ? min : min + this.next() * (max - min);
  }

  /** Picks a key with probability proportional to its weight; weights must sum to more than 0. */
  pickWeighted<Key extends string>(weights: readonly (readonly [Key, number])[]): Key {
    const total = weights.reduce((sum, [, weight]) => sum + weight, 0);
    let threshold = this.next() * total;
    for (const [key, weight] of weights) {
      threshold -= weight;
      if (threshold < 0) {
        return key;
      }
    }
    // Floating-point rounding can leave the threshold at 0 after the last weight.
    return weights[weights.length - 1][0];
  }
}
