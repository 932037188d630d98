import { createHmac } from 'node:crypto';
import { DomainError } from '@sms/domain';
import { decodeAttemptCursor, encodeAttemptCursor } from './attempt-cursor';

const key = { startedAt: '2026-12-07T09:00:00.123Z', attemptId: 'a-42' };
const filters = { campaignId: 'c-1', from: '2026-12-01T00:00:00.000Z' };
const signingKey = Buffer.from('attempt-cursor-unit-test-key');

function rejection(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    return error as DomainError;
  }
  throw new Error('expected a rejection');
}

/** Builds a cursor around any payload text, correctly signed, to reach the payload checks. */
function signedCursor(payload: string): string {
  const encoded = Buffer.from(payload).toString('base64url');
  return `${encoded}.${createHmac('sha256', signingKey).update(encoded).digest('base64url')}`;
}

describe('attempt cursor', () => {
  it('round trip returns the key', () => {
    const cursor = encodeAttemptCursor(key, filters, signingKey);

    expect(cursor).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(decodeAttemptCursor(cursor, filters, signingKey)).toEqual(key);
  });

  it('other filters are rejected', () => {
    const cursor = encodeAttemptCursor(key, filters, signingKey);

    const error = rejection(() => decodeAttemptCursor(cursor, { ...filters, sessionId: 's-1' }, signingKey));

    expect(error).toBeInstanceOf(DomainError);
    expect(error.code).toBe('REPORTER.INVALID_CURSOR');
    expect(error.message).toContain('was issued for other filters');
  });

  it('a re-encoded position is rejected', () => {
    const cursor = encodeAttemptCursor(key, filters, signingKey);
    const [payload, signature] = cursor.split('.');
    const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...decoded, s: '2020-01-01T00:00:00.000Z' })).toString('base64url');

    const error = rejection(() => decodeAttemptCursor(`${forged}.${signature}`, filters, signingKey));

    expect(error.code).toBe('REPORTER.INVALID_CURSOR');
    expect(error.message).toContain('or was altered');
  });

  it('a cursor signed with another key is rejected', () => {
    const cursor = encodeAttemptCursor(key, filters, Buffer.from('another key'));

    const error = rejection(() => decodeAttemptCursor(cursor, filters, signingKey));

    expect(error.code).toBe('REPORTER.INVALID_CURSOR');
  });

  it('a cursor without a signature is rejected', () => {
    const [payload] = encodeAttemptCursor(key, filters, signingKey).split('.');

    expect(rejection(() => decodeAttemptCursor(payload, filters, signingKey)).code).toBe('REPORTER.INVALID_CURSOR');
  });

  it.each([
    ['an empty string', ''],
    ['characters outside base64url', 'abc+/=.abc'],
    ['base64url that is not JSON', signedCursor('not json')],
    ['a JSON array', signedCursor('["2026-12-07T09:00:00.123Z","a-42"]')],
    ['another version', signedCursor(JSON.stringify({ v: 1, s: key.startedAt, a: 'a', f: 'x' }))],
    ['a date that is not an instant', signedCursor(JSON.stringify({ v: 2, s: '2026-13-45T09:00:00.000Z', a: 'a', f: 'x' }))],
    ['an empty attempt id', signedCursor(JSON.stringify({ v: 2, s: key.startedAt, a: '', f: 'x' }))],
    ['a cursor over 512 characters', `${'A'.repeat(470)}.${'A'.repeat(43)}`],
  ])('malformed cursor (%s) is rejected', (_, cursor) => {
    const error = rejection(() => decodeAttemptCursor(cursor, filters, signingKey));

    expect(error.code).toBe('REPORTER.INVALID_CURSOR');
    expect(error.details).toEqual([expect.objectContaining({ field: 'cursor' })]);
  });

  it.each([10, -1])('an altered character at %i is rejected', (index) => {
    const cursor = encodeAttemptCursor(key, filters, signingKey);
    const position = index < 0 ? cursor.length + index : index;
    const altered = `${cursor.slice(0, position)}${cursor[position] === 'A' ? 'B' : 'A'}${cursor.slice(position + 1)}`;

    expect(() => decodeAttemptCursor(altered, filters, signingKey)).toThrow(DomainError);
  });
});
