import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-signature';
export const TIMESTAMP_HEADER = 'x-timestamp';

/** Largest gap in seconds between a callback's X-Timestamp and this server's clock, either way. */
export const DEFAULT_TIMESTAMP_TOLERANCE_SECONDS = 300;

const SIGNATURE_FORMAT = /^sha256=([0-9a-f]{64})$/i;
const TIMESTAMP_FORMAT = /^\d{1,12}$/;

/**
 * Returns the X-Signature value of a callback: `sha256=` and the hex HMAC-SHA256, keyed with the
 * webhook secret, of the X-Timestamp value, a `.` and the raw body bytes. The timestamp is signed
 * with the body so that a captured callback cannot be replayed later under a fresh timestamp.
 */
export function signWebhookPayload(secret: string, timestamp: string, rawBody: Buffer | string): string {
  const hmac = createHmac('sha256', secret);
  hmac.update(`${timestamp}.`);
  hmac.update(rawBody);
  return `sha256=${hmac.digest('hex')}`;
}

export type SignatureCheck =
  | { readonly valid: true }
  | {
      readonly valid: false;
      readonly code: 'WEBHOOK.SIGNATURE_MISSING' | 'WEBHOOK.TIMESTAMP_OUT_OF_RANGE' | 'WEBHOOK.SIGNATURE_INVALID';
      readonly message: string;
    };

/**
 * Checks the signature headers of a callback against its raw body. The comparison runs in
 * constant time, so response times reveal nothing about how much of a forged signature matched.
 */
export function verifyWebhookSignature(
  secret: string,
  headers: { readonly signature: string | undefined; readonly timestamp: string | undefined },
  rawBody: Buffer,
  nowMs: number,
  toleranceSeconds: number = DEFAULT_TIMESTAMP_TOLERANCE_SECONDS,
): SignatureCheck {
  const { signature, timestamp } = headers;
  if (signature === undefined || timestamp === undefined) {
    return {
      valid: false,
      code: 'WEBHOOK.SIGNATURE_MISSING',
      message: 'the X-Signature and X-Timestamp headers are required: sign the body with the webhook secret',
    };
  }

  if (!TIMESTAMP_FORMAT.test(timestamp)) {
    return { valid: false, code: 'WEBHOOK.TIMESTAMP_OUT_OF_RANGE', message: `X-Timestamp '${timestamp}' is not a number of Unix seconds` };
  }
  const skewSeconds = Math.abs(nowMs / 1000 - Number(timestamp));
  if (skewSeconds > toleranceSeconds) {
    return {
      valid: false,
      code: 'WEBHOOK.TIMESTAMP_OUT_OF_RANGE',
      message: `X-Timestamp ${timestamp} is ${Math.round(skewSeconds)} s away from this server's clock; the maximum is ${toleranceSeconds} s`,
    };
  }

  const match = SIGNATURE_FORMAT.exec(signature);
  const expected = Buffer.from(signWebhookPayload(secret, timestamp, rawBody).slice('sha256='.length), 'hex');
  if (match === null || !timingSafeEqual(Buffer.from(match[1], 'hex'), expected)) {
    return {
      valid: false,
      code: 'WEBHOOK.SIGNATURE_INVALID',
      message: 'X-Signature does not match the body signed with the webhook secret',
    };
  }
  return { valid: true };
}
