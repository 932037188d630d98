import { RandomPool } from './random-pool';

describe('random pool', () => {
  it('never hands out the same bytes twice, across pool refills', () => {
    const pool = new RandomPool();
    const seen = new Set<string>();
    // 20,000 draws of 12 bytes span four pools of 64 KiB.
    for (let draw = 0; draw < 20_000; draw += 1) {
      seen.add(pool.bytes(12).toString('hex'));
    }
    expect(seen.size).toBe(20_000);
  });

  it('gives each caller bytes that later draws leave unchanged', () => {
    const pool = new RandomPool();
    const key = pool.bytes(32);
    const copy = Buffer.from(key);
    for (let draw = 0; draw < 10_000; draw += 1) pool.bytes(32);
    expect(key.equals(copy)).toBe(true);
    expect(key.length).toBe(32);
  });

  it('draws a request larger than the pool on its own', () => {
    const pool = new RandomPool();
    const large = pool.bytes(100_000);
    expect(large.length).toBe(100_000);
    expect(large.equals(Buffer.alloc(100_000))).toBe(false);
  });
});
