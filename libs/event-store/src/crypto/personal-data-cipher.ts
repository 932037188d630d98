import { createCipheriv, createDecipheriv, createHmac, hkdfSync } from 'node:crypto';
import { randomPool } from './random-pool';

/**
 * AES-256-GCM as the personal-data decorator uses it: a 96-bit random nonce per message and a
 * 128-bit tag, laid out `nonce || tag || ciphertext`. The associated data binds each ciphertext
 * to where it belongs (an event id, a subject), so a ciphertext copied elsewhere fails to open.
 */
const ALGORITHM = 'aes-256-gcm';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
export const DATA_KEY_BYTES = 32;

export function seal(key: Buffer, plaintext: Buffer, associatedData: string): Buffer {
  const nonce = randomPool.bytes(NONCE_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, nonce);
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([nonce, cipher.getAuthTag(), ciphertext]);
}

/** Decrypts what `seal` produced; throws when the key, the associated data or the bytes differ. */
export function open(key: Buffer, sealed: Buffer, associatedData: string): Buffer {
  if (sealed.length < NONCE_BYTES + TAG_BYTES) {
    throw new Error(`sealed value of ${sealed.length} bytes is shorter than its nonce and tag`);
  }
  const decipher = createDecipheriv(ALGORITHM, key, sealed.subarray(0, NONCE_BYTES));
  decipher.setAAD(Buffer.from(associatedData, 'utf8'));
  decipher.setAuthTag(sealed.subarray(NONCE_BYTES, NONCE_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(sealed.subarray(NONCE_BYTES + TAG_BYTES)), decipher.final()]);
}

/** Wraps a subject's data key, so that a copy of the key table alone reveals nothing. */
export function wrapDataKey(wrappingKey: Buffer, subject: string, keyId: string, dataKey: Buffer): string {
  return seal(wrappingKey, dataKey, `subject-key\n${subject}\n${keyId}`).toString('base64');
}

export function unwrapDataKey(wrappingKey: Buffer, subject: string, keyId: string, wrappedKey: string): Buffer {
  return open(wrappingKey, Buffer.from(wrappedKey, 'base64'), `subject-key\n${subject}\n${keyId}`);
}

/**
 * Derives a 256-bit key for one purpose from a service secret with HKDF-SHA256 (RFC 5869), so
 * that one secret can feed several keys without any two being equal.
 */
export function deriveKey(secret: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.alloc(0), `sms-campaigns:${purpose}`, 32));
}

/** HMAC-SHA256 of an E.164 number, stored in a subject key row in place of the number. */
export class NumberHasher {
  constructor(private readonly key: Buffer) {}

  hash(e164: string): string {
    return createHmac('sha256', this.key).update(e164, 'utf8').digest('base64url');
  }
}
