import { randomBytes } from 'node:crypto';
import { SubjectKeyCache } from './subject-key-cache';

function dataKey(keyId: string) {
  return { keyId, key: randomBytes(32) };
}

describe('subject key cache', () => {
  it('drops the least recently used key beyond its bound', () => {
    const cache = new SubjectKeyCache(2, 60_000);
    cache.set('target-a', dataKey('a'));
    cache.set('target-b', dataKey('b'));

    cache.get('target-a');
    cache.set('target-c', dataKey('c'));

    expect(cache.size).toBe(2);
    expect(cache.get('target-a')?.keyId).toBe('a');
    expect(cache.get('target-b')).toBeUndefined();
    expect(cache.get('target-c')?.keyId).toBe('c');
  });

  it('drops the least recently used tenth at once', () => {
    const cache = new SubjectKeyCache(100, 60_000);
    for (let index = 0; index < 100; index += 1) cache.set(`target-${index}`, dataKey(String(index)));
    cache.get('target-0');

    cache.set('target-100', dataKey('100'));

    expect(cache.size).toBe(90);
    expect(cache.get('target-0')?.keyId).toBe('0');
    expect(cache.get('target-1')).toBeUndefined();
    expect(cache.get('target-11')).toBeUndefined();
    expect(cache.get('target-12')?.keyId).toBe('12');
    expect(cache.get('target-100')?.keyId).toBe('100');
  });

  it('forgets a key once its time to live has passed', () => {
    let now = 1_000;
    const cache = new SubjectKeyCache(10, 500, () => now);
    cache.set('target-a', dataKey('a'));

    now += 499;
    const fresh = cache.get('target-a');
    now += 500;
    const expired = cache.get('target-a');

    expect(fresh?.keyId).toBe('a');
    expect(expired).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});
