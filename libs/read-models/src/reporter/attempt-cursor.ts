import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
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

/** Version 2 added the signature, so a version 1 cursor fails its check. */
const CURSOR_VERSION = 2;
/** Longer cursors are rejected before decoding. A real one is about 200 characters. */
const MAX_CURSOR_LENGTH = 512;
/** `<payload>.<signature>`, both base64url. */
const SIGNED_CURSOR = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/;
const UTC_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

type CursorPayload = { v: number; s: string; a: string; f: string };

/**
 * Encodes the key of a page's last attempt and a digest of its filters as base64url JSON, followed
 * by a dot and the base64url HMAC-SHA256 of that JSON under `signingKey`. The cursor is opaque to
 * clients, and the signature lets `decodeAttemptCursor` reject any cursor a client changed.
 */
export function encodeAttemptCursor(key: AttemptKey, filters: AttemptFilterKey, signingKey: Uint8Array): string {
  const payload: CursorPayload = { v: CURSOR_VERSION, s: key.startedAt, a: key.attemptId, f: filterDigest(filters) };
  const encoded = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
  return `${encoded}.${sign(encoded, signingKey).toString('base64url')}`;
}

/**
 * Decodes a cursor that `encodeAttemptCursor` returned for the same filters and signing key. Throws
 * an INVALID DomainError on the field `cursor` when it is malformed, altered, signed with another
 * key, or was issued for other filters.
 */
export function decodeAttemptCursor(cursor: string, filters: AttemptFilterKey, signingKey: Uint8Array): AttemptKey {
  const match = cursor.length <= MAX_CURSOR_LENGTH ? SIGNED_CURSOR.exec(cursor) : null;
  if (match === null || !hasSignature(match[1], match[2], signingKey)) {
    throw invalidCursor(cursor, 'is not a cursor returned by this endpoint, or was altered: pass nextCursor unchanged');
  }
  const payload = parsePayload(match[1]);
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

function sign(encodedPayload: string, signingKey: Uint8Array): Buffer {
  return createHmac('sha256', signingKey).update(encodedPayload).digest();
}

function hasSignature(encodedPayload: string, encodedSignature: string, signingKey: Uint8Array): boolean {
  const expected = sign(encodedPayload, signingKey);
  const received = Buffer.from(encodedSignature, 'base64url');
  // Base64url decoding ignores trailing bits, so the text is compared too: a changed last character must fail.
  return received.length === expected.length && timingSafeEqual(received, expected) && received.toString('base64url') === encodedSignature;
}

function parsePayload(encodedPayload: string): CursorPayload | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(encodedPayload, 'base64url').toString('utf8'));
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
