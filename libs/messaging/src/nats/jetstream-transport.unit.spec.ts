import { maskUrlCredentials } from './jetstream-transport';

describe('maskUrlCredentials', () => {
  it.each([
    ['nats://user:pass@127.0.0.1:4222', 'nats://***@127.0.0.1:4222'],
    ['nats://token@127.0.0.1:4222', 'nats://***@127.0.0.1:4222'],
    ['user:pass@127.0.0.1:4222', '***@127.0.0.1:4222'],
    ['nats://127.0.0.1:4222', 'nats://127.0.0.1:4222'],
  ])('masks %s as %s', (url, masked) => {
    expect(maskUrlCredentials(url)).toBe(masked);
  });
});
