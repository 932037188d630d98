import { DomainError } from '@sms/domain';
import { decodeAttemptCursor, encodeAttemptCursor } from './attempt-cursor';

const key = { startedAt: '2026-12-07T09:00:00.123Z', attemptId: 'a-42' };
const filters = { campaignId: 'c-1', from: '2026-12-01T00:00:00.000Z' };

function rejection(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    return error as DomainError;
  }
  throw new Error('expected a rejection');
}

describe('attempt cursor', () => {
  it('round trip returns the key', () => {
    const cursor = encodeAttemptCursor(key, filters);

    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeAttemptCursor(cursor, filters)).toEqual(key);
  });

  it('other filters are rejected', () => {
    const cursor = encodeAttemptCursor(key, filters);

    const error = rejection(() => decodeAttemptCursor(cursor, { ...filters, sessionId: 's-1' }));

    expect(error).toBeInstanceOf(DomainError);
    expect(error.code).toBe('REPORTER.INVALID_CURSOR');
    expect(error.message).toContain('was issued for other filters');
  });

  it.each([
    ['an empty string', ''],
    ['characters outside base64url', 'abc+/='],
    ['base64url that is not JSON', Buffer.from('not json').toString('base64url')],
    ['a JSON array', Buffer.from('["2026-12-07T09:00:00.123Z","a-42"]').toString('base64url')],
    ['another version', Buffer.from(JSON.stringify({ v: 2, s: key.startedAt, a: 'a', f: 'x' })).toString('base64url')],
    [
      'a date that is not an instant',
      Buffer.from(JSON.stringify({ v: 1, s: '2026-13-45T09:00:00.000Z', a: 'a', f: 'x' })).toString('base64url'),
    ],
    ['an empty attempt id', Buffer.from(JSON.stringify({ v: 1, s: key.startedAt, a: '', f: 'x' })).toString('base64url')],
    ['a cursor over 512 characters', 'A'.repeat(513)],
  ])('malformed cursor (%s) is rejected', (_, cursor) => {
    const error = rejection(() => decodeAttemptCursor(cursor, filters));

    expect(error.code).toBe('REPORTER.INVALID_CURSOR');
    expect(error.details).toEqual([expect.objectContaining({ field: 'cursor' })]);
  });

  it('an altered character is rejected', () => {
    const cursor = encodeAttemptCursor(key, filters);
    const altered = `${cursor.slice(0, 10)}${cursor[10] === 'A' ? 'B' : 'A'}${cursor.slice(11)}`;

    expect(() => decodeAttemptCursor(altered, filters)).toThrow(DomainError);
  });
});
