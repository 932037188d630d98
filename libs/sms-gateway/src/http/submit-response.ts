import type { SubmitOutcome } from '../sms-gateway.port';

/** The response to one submit request: its HTTP status, Retry-After header and parsed JSON body. */
export interface ProviderResponse {
  readonly status: number;
  readonly retryAfter: string | null;
  /** The parsed JSON body, or undefined when the body was empty or not JSON. */
  readonly body: unknown;
}

/**
 * A submit outcome and the provider state it shows: `down` when the provider did not respond or
 * responded with a server error, which counts towards opening the circuit.
 */
export interface ClassifiedOutcome {
  readonly outcome: SubmitOutcome;
  readonly provider: 'up' | 'down';
  /** Wait in ms that the provider requested with a Retry-After header. */
  readonly retryAfterMs?: number;
}

/**
 * Statuses after which the provider did not take the message and the same request may succeed
 * later: throttled (429), unavailable (503), request timeout (408), or an account or endpoint
 * problem that an operator can fix (401, 403, 404, 405, and 3xx because redirects are not followed).
 */
const TRANSIENT_STATUS_CODES: Readonly<Record<number, string>> = {
  401: 'PROVIDER_AUTH_FAILED',
  403: 'PROVIDER_AUTH_FAILED',
  404: 'HTTP_404',
  405: 'HTTP_405',
  408: 'HTTP_408',
  429: 'THROTTLED',
  503: 'PROVIDER_UNAVAILABLE',
};

/**
 * Error codes of Node's fetch (undici) for failures before a byte of the request was written: DNS,
 * TCP connect and TLS handshake. After them the provider cannot have the message.
 */
const NOT_SENT_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export const PROVIDER_UNREACHABLE_ERROR_CODE = 'PROVIDER_UNREACHABLE';

/** A provider error code is passed on only in this form, so that a stray body cannot fill the event store. */
const PROVIDER_ERROR_CODE = /^[A-Za-z0-9_.:-]{1,64}$/;
const MAX_PROVIDER_MESSAGE_LENGTH = 200;

/** Retry-After values beyond this are cut to it, so that one odd header cannot stop sending for hours. */
export const MAX_RETRY_AFTER_MS = 10 * 60_000;

/**
 * Maps the response to `POST /messages` to a submit outcome. A 5xx other than 503 is UNKNOWN, not
 * a transient rejection, because the provider may have queued the message before failing. A retry
 * would then send the recipient a second SMS.
 */
export function outcomeFromResponse(response: ProviderResponse, nowMs: number): ClassifiedOutcome {
  const { status } = response;
  if (status >= 200 && status < 300) {
    const id = isObject(response.body) ? response.body.id : undefined;
    if (typeof id !== 'string' || id === '') {
      return { outcome: { status: 'UNKNOWN', reason: `provider responded ${status} without a message id` }, provider: 'up' };
    }
    return { outcome: { status: 'ACCEPTED', providerMessageId: id }, provider: 'up' };
  }

  if (status >= 500 && status !== 503) {
    return {
      outcome: { status: 'UNKNOWN', reason: `provider responded ${status}${describeBody(response.body)}; it may have taken the message` },
      provider: 'down',
    };
  }

  const transientCode = status < 400 ? `HTTP_${status}` : TRANSIENT_STATUS_CODES[status];
  if (transientCode !== undefined) {
    const retryAfterMs = parseRetryAfter(response.retryAfter, nowMs);
    const wait = retryAfterMs === undefined ? '' : `; retry after ${Math.ceil(retryAfterMs / 1000)} s`;
    return {
      outcome: {
        status: 'REJECTED',
        transient: true,
        errorCode: transientCode,
        reason: `provider responded ${status}${describeBody(response.body)}${wait}`,
      },
      provider: status === 503 ? 'down' : 'up',
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    };
  }

  return {
    outcome: {
      status: 'REJECTED',
      transient: false,
      errorCode: providerErrorCode(response.body) ?? `HTTP_${status}`,
      reason: `provider rejected the message with ${status}${describeBody(response.body)}`,
    },
    provider: 'up',
  };
}

/**
 * Maps a fetch failure to a submit outcome. Only failures that happen before the request is
 * written are transient rejections. A timeout is UNKNOWN even when it fires during connect,
 * because fetch does not tell how far the request got.
 */
export function outcomeFromFetchError(error: unknown, timeoutMs: number): ClassifiedOutcome {
  if (errorField(error, 'name') === 'TimeoutError') {
    return { outcome: { status: 'UNKNOWN', reason: `provider did not respond within ${timeoutMs} ms` }, provider: 'down' };
  }

  const code = networkErrorCode(error);
  if (code !== undefined && NOT_SENT_ERROR_CODES.has(code)) {
    return {
      outcome: {
        status: 'REJECTED',
        transient: true,
        errorCode: PROVIDER_UNREACHABLE_ERROR_CODE,
        reason: `provider unreachable (${code}); nothing was sent`,
      },
      provider: 'down',
    };
  }
  return {
    outcome: {
      status: 'UNKNOWN',
      reason: `connection failed after the request may have been sent (${code ?? String(errorField(error, 'message'))})`,
    },
    provider: 'down',
  };
}

/** Reads Retry-After as seconds or as an HTTP date; returns the wait in ms, at most MAX_RETRY_AFTER_MS. */
export function parseRetryAfter(header: string | null, nowMs: number): number | undefined {
  if (header === null || header.trim() === '') {
    return undefined;
  }
  const value = header.trim();
  const waitMs = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value) - nowMs;
  if (Number.isNaN(waitMs)) {
    return undefined;
  }
  return Math.min(Math.max(waitMs, 0), MAX_RETRY_AFTER_MS);
}

/** Returns the `code` of fetch's `cause`, looking into an AggregateError from a multi-address connect. */
function networkErrorCode(error: unknown): string | undefined {
  const cause = errorField(error, 'cause') as { code?: unknown; errors?: Array<{ code?: unknown }> } | undefined;
  const code = cause?.code ?? cause?.errors?.[0]?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Reads a field of a thrown value without `instanceof Error`, which fails for errors created in
 * another realm, such as fetch's errors seen from a Jest test's VM context.
 */
function errorField(error: unknown, field: 'name' | 'message' | 'cause'): unknown {
  return typeof error === 'object' && error !== null ? (error as Record<string, unknown>)[field] : undefined;
}

function providerErrorCode(body: unknown): string | undefined {
  const code = isObject(body) ? body.code : undefined;
  return typeof code === 'string' && PROVIDER_ERROR_CODE.test(code) ? code : undefined;
}

function describeBody(body: unknown): string {
  if (!isObject(body)) {
    return '';
  }
  const code = providerErrorCode(body);
  const message = typeof body.message === 'string' ? body.message.slice(0, MAX_PROVIDER_MESSAGE_LENGTH) : undefined;
  const parts = [code, message].filter((part) => part !== undefined);
  return parts.length === 0 ? '' : ` (${parts.join(': ')})`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
