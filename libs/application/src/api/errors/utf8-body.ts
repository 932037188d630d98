import type { IncomingMessage, ServerResponse } from 'node:http';
import { firstInvalidUtf8Offset } from '@sms/imports';

/** The `type` of NotUtf8BodyError, which body-parser keeps on the error it passes on. */
const NOT_UTF8_TYPE = 'entity.not.utf8';

/** A JSON body whose bytes are not UTF-8. */
export class NotUtf8BodyError extends Error {
  readonly status = 400;
  readonly type = NOT_UTF8_TYPE;

  constructor(
    /** 0-based offset of the first invalid sequence, or the body length when the body ends inside a character. */
    readonly offset: number,
    /** The byte at `offset`, or undefined when the body ends inside a character. */
    readonly byte: number | undefined,
  ) {
    super(
      byte === undefined
        ? 'the body ends inside a UTF-8 character'
        : `byte ${offset + 1} (${hexByte(byte)}) of the body starts no valid UTF-8 character`,
    );
    this.name = 'NotUtf8BodyError';
  }
}

/**
 * Rejects a JSON body that is not UTF-8, as the body parser's verify hook. Without it, body-parser
 * decodes each invalid UTF-8 sequence as U+FFFD, which is then stored as if the client had sent it.
 * A charset other than UTF-8 (body-parser also takes UTF-16 and UTF-32) gets 415, because RFC 8259
 * requires JSON exchanged between systems to be UTF-8.
 */
export function verifyUtf8Body(_request: IncomingMessage, _response: ServerResponse, body: Buffer, encoding: string): void {
  if (encoding !== 'utf-8') {
    throw Object.assign(new Error(`unsupported charset "${encoding.toUpperCase()}"`), {
      status: 415,
      type: 'charset.unsupported',
      charset: encoding,
    });
  }
  if (decodesAsUtf8(body)) {
    return;
  }
  const offset = firstInvalidUtf8Offset(body);
  throw new NotUtf8BodyError(offset, body[offset]);
}

/** Formats a byte as the UTF-8 errors show it: `0xFF`. */
export function hexByte(byte: number): string {
  return `0x${byte.toString(16).toUpperCase().padStart(2, '0')}`;
}

function decodesAsUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}
