import { createHash } from 'node:crypto';
import { DomainError } from '@sms/domain';

/** The key of the last attempt of a page: the next page starts after it in (startedAt, attemptId) order. */
export interface AttemptKey {
  /** ISO-8601 instant in UTC, as the page returned it. */
  readonly startedAt: string;
  readonly attemptId: string;
}

/** The filters a cursor was issued for. A cursor is valid only with the same filters. */
export interface AttemptFilterKey {
  readonly campaignId?: string;
  readonly sessionId?: string;
  /** ISO-8601 instant in UTC. */
  readonly from?: string;
  /** ISO-8601 instant in UTC. */
  readonly to?: string;
}

const CURSOR_VERSION = 1;
/** Longer cursors are rejected before decoding. A real one is about 150 characters. */
const MAX_CURSOR_LENGTH = 512;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const UTC_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

type CursorPayload = { v: number; s: string; a: string; f: string };

/**
 * Encodes the key of a page's last attempt and a digest of its filters as base64url JSON. The
 * cursor is opaque to clients. It is not signed, because every caller may read every row anyway:
 * a forged cursor can only move the start of a page.
 */
export function encodeAttemptCursor(key: AttemptKey, filters: AttemptFilterKey): string {
  const payload: CursorPayload = { v: CURSOR_VERSION, s: key.startedAt, a: key.attemptId, f: filterDigest(filters) };
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

/**
 * Decodes a cursor that `encodeAttemptCursor` returned for the same filters. Throws an INVALID
 * DomainError on the field `cursor` when it is malformed, altered, or was issued for other filters.
 */
export function decodeAttemptCursor(cursor: string, filters: AttemptFilterKey): AttemptKey {
  const payload = parsePayload(cursor);
  if (payload === null) {
    throw invalidCursor(cursor, 'is not a cursor returned by this endpoint: pass nextCursor unchanged');
  }
  if (payload.f !== filterDigest(filters)) {
    throw invalidCursor(
      cursor,
      'was issued for other filters: repeat campaignId, sessionId, from and to unchanged, or start without a cursor',
    );
  }
  return { startedAt: payload.s, attemptId: payload.a };
}

function parsePayload(cursor: string): CursorPayload | null {
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !BASE64URL.test(cursor)) {
    return null;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return null;
  }
  const { v, s, a, f } = parsed as Record<string, unknown>;
  const valid =
    v === CURSOR_VERSION &&
    typeof s === 'string' &&
    UTC_INSTANT.test(s) &&
    !Number.isNaN(Date.parse(s)) &&
    typeof a === 'string' &&
    a.length > 0 &&
    a.length <= 200 &&
    typeof f === 'string';
  return valid ? { v, s, a, f } : null;
}

/** Returns 16 hex digits of the SHA-256 of the filters, enough to tell filter sets apart. */
function filterDigest(filters: AttemptFilterKey): string {
  const canonical = JSON.stringify([filters.campaignId ?? null, filters.sessionId ?? null, filters.from ?? null, filters.to ?? null]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

function invalidCursor(cursor: string, rule: string): DomainError {
  const preview = cursor.length > 80 ? `${cursor.slice(0, 80)}...` : cursor;
  return DomainError.invalid('REPORTER.INVALID_CURSOR', 'cursor', preview, rule);
}
