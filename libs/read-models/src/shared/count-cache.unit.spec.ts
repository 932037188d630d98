import { CountCache } from './count-cache';

describe('CountCache', () => {
  const options = { exactBelow: 100, freshMs: 1_000, staleMs: 5_000, maxEntries: 2 };

  beforeEach(() => {
    jest.useFakeTimers({ now: Date.parse('2026-12-07T09:00:00Z') });
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  function counter(values: number[]) {
    const count = jest.fn(async () => values.shift() ?? -1);
    return count;
  }

  it('counts a small total every time', async () => {
    const cache = new CountCache(options);
    const count = counter([5, 6]);

    expect(await cache.get('k', count)).toBe(5);
    expect(await cache.get('k', count)).toBe(6);
    expect(count).toHaveBeenCalledTimes(2);
  });

  it('reuses a large total while fresh', async () => {
    const cache = new CountCache(options);
    const count = counter([500, 600]);

    await cache.get('k', count);
    jest.advanceTimersByTime(1_000);

    expect(await cache.get('k', count)).toBe(500);
    expect(count).toHaveBeenCalledTimes(1);
  });

  it('returns a stale total and counts again behind it', async () => {
    const cache = new CountCache(options);
    const count = counter([500, 600]);
    await cache.get('k', count);
    jest.advanceTimersByTime(2_000);

    expect(await cache.get('k', count)).toBe(500);
    await Promise.resolve();
    expect(await cache.get('k', count)).toBe(600);
    expect(count).toHaveBeenCalledTimes(2);
  });

  it('counts again once a total is too old to show', async () => {
    const cache = new CountCache(options);
    const count = counter([500, 700]);
    await cache.get('k', count);
    jest.advanceTimersByTime(5_001);

    expect(await cache.get('k', count)).toBe(700);
  });

  it('shares one query between concurrent requests', async () => {
    const cache = new CountCache(options);
    const count = counter([500]);

    const totals = await Promise.all([cache.get('k', count), cache.get('k', count), cache.get('k', count)]);

    expect(totals).toEqual([500, 500, 500]);
    expect(count).toHaveBeenCalledTimes(1);
  });

  it('keeps separate totals per key and forgets the oldest beyond its size', async () => {
    const cache = new CountCache(options);
    await cache.get('a', counter([100]));
    await cache.get('b', counter([200]));
    await cache.get('c', counter([300]));
    const recount = counter([101]);

    expect(await cache.get('a', recount)).toBe(101);
    expect(await cache.get('c', counter([]))).toBe(300);
  });

  it('forgets a failed count', async () => {
    const cache = new CountCache(options);
    const failing = jest.fn(async () => {
      throw new Error('connection lost');
    });

    await expect(cache.get('k', failing)).rejects.toThrow('connection lost');
    expect(await cache.get('k', counter([500]))).toBe(500);
  });
});
