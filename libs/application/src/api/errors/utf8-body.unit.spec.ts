import type { IncomingMessage, ServerResponse } from 'node:http';
import { bodyParserError } from './body-parser-errors';
import { NotUtf8BodyError, verifyUtf8Body } from './utf8-body';

function verify(body: Buffer, encoding = 'utf-8'): unknown {
  try {
    verifyUtf8Body({} as IncomingMessage, {} as ServerResponse, body, encoding);
    return undefined;
  } catch (error) {
    return error;
  }
}

const bytes = (...parts: Array<string | number[]>) => Buffer.concat(parts.map((part) => Buffer.from(part)));

describe('verifyUtf8Body', () => {
  it('accepts UTF-8, a byte order mark and an empty body', () => {
    expect(verify(Buffer.from('{"name":"Café 🎉"}'))).toBeUndefined();
    expect(verify(bytes([0xef, 0xbb, 0xbf], '{}'))).toBeUndefined();
    expect(verify(Buffer.alloc(0))).toBeUndefined();
  });

  it.each([
    ['a byte that starts no character', bytes('{"name":"A', [0xff, 0xfe], 'B"}'), 10, 0xff],
    ['a lead byte without its continuation', bytes('{"a":"', [0xc3], 'x"}'), 6, 0xc3],
    ['a three-byte character cut after two', bytes('{"a":"', [0xe2, 0x82], 'x"}'), 6, 0xe2],
    ['an encoded surrogate', bytes('{"a":"', [0xed, 0xa0, 0x80], '"}'), 6, 0xed],
    ['an overlong encoding', bytes('{"a":"', [0xc0, 0xaf], '"}'), 6, 0xc0],
    ['a continuation byte alone', bytes('{"a":"é', [0xa9], '"}'), 8, 0xa9],
    ['Windows-1252 text', bytes('{"name":"Caf', [0xe9], '"}'), 12, 0xe9],
  ])('rejects %s naming the first invalid sequence', (_case, body, offset, byte) => {
    const error = verify(body);

    expect(error).toBeInstanceOf(NotUtf8BodyError);
    expect(error).toMatchObject({ status: 400, offset, byte });
  });

  it('rejects a body that ends inside a character', () => {
    expect(verify(bytes('{"a":"', [0xe2, 0x82]))).toMatchObject({ offset: 8, byte: undefined });
  });

  it('rejects a charset other than UTF-8 with 415', () => {
    expect(verify(Buffer.from('{}', 'utf16le'), 'utf-16le')).toMatchObject({
      status: 415,
      type: 'charset.unsupported',
      charset: 'utf-16le',
    });
  });
});

describe('bodyParserError for a body that is not UTF-8', () => {
  it('names the byte and its position', () => {
    const body = bodyParserError(new NotUtf8BodyError(10, 0xff));

    expect(body).toEqual({
      statusCode: 400,
      code: 'REQUEST.NOT_UTF8',
      message: 'byte 11 (0xFF) of the body starts no valid UTF-8 character: send application/json encoded in UTF-8',
      details: [{ field: 'body', value: '0xFF', rule: 'must be encoded in UTF-8' }],
    });
  });

  it('says when the body ends inside a character', () => {
    expect(bodyParserError(new NotUtf8BodyError(8, undefined))).toMatchObject({
      code: 'REQUEST.NOT_UTF8',
      message: expect.stringContaining('the body ends inside a UTF-8 character'),
      details: [{ field: 'body', rule: 'must be encoded in UTF-8' }],
    });
  });
});
