import type { ErrorRequestHandler } from 'express';
import { AppLogger } from '../../logging/logger';
import { ErrorBody } from './http-error.filter';
import { hexByte, NotUtf8BodyError } from './utf8-body';

/**
 * The fields body-parser 2 and raw-body 3 set on the http-errors they raise. `type` names the
 * failure (`entity.parse.failed`, `charset.unsupported`, `request.aborted`, ...). The zlib errors
 * of a broken compressed body carry no type but a `Z_*` code.
 */
interface BodyReadError {
  readonly status: number;
  readonly message: string;
  readonly type?: string;
  readonly code?: string;
  readonly limit?: number;
  readonly charset?: string;
  readonly encoding?: string;
  readonly expected?: number;
  readonly received?: number;
}

/**
 * Maps an error of the JSON body parser to the error body, or returns undefined for errors the
 * client did not cause (such as `stream.not.readable`, a server bug), which stay a 500.
 */
export function bodyParserError(error: unknown): ErrorBody | undefined {
  if (!isBodyReadError(error) || error.status < 400 || error.status >= 500) {
    return undefined;
  }
  if (error instanceof NotUtf8BodyError) {
    return notUtf8(error);
  }
  switch (error.type) {
    case 'entity.parse.failed':
      return { statusCode: 400, code: 'REQUEST.MALFORMED_JSON', message: `the body is not valid JSON: ${error.message}` };
    case 'entity.too.large':
      return { statusCode: 413, code: 'REQUEST.TOO_LARGE', message: `the body is larger than the limit of ${error.limit} bytes` };
    case 'charset.unsupported':
      return unsupported(`charset '${error.charset}' is not accepted: send application/json in UTF-8`);
    case 'encoding.unsupported':
      return unsupported(
        `Content-Encoding '${error.encoding}' is not accepted: send the body uncompressed, or compressed with gzip, deflate or br`,
      );
    case 'request.aborted':
      return invalidBody(`the client closed the connection after ${error.received} of ${error.expected} bytes of the body`);
    case 'request.size.invalid':
      return invalidBody(`the body has ${error.received} bytes but Content-Length is ${error.expected}`);
  }
  if (error.code?.startsWith('Z_') === true) {
    return invalidBody(`the body does not match its Content-Encoding and could not be decompressed: ${error.message}`);
  }
  return invalidBody(`the body could not be read: ${error.message}`);
}

/**
 * Express error middleware placed right after the JSON body parser, so every error it receives comes
 * from reading the body. Nest's own error handler would pass them to the filter as unknown errors
 * (500), so their responses are sent from here, in the same error shape.
 */
export function createBodyParserErrorHandler(logger: AppLogger): ErrorRequestHandler {
  return (error: unknown, request, response, next) => {
    const body = bodyParserError(error);
    if (body === undefined) {
      next(error);
      return;
    }
    if (isBodyReadError(error) && error.type === 'request.aborted') {
      // The client has disconnected, so no response can reach it. This is routine, not a server failure.
      logger.info(
        { method: request.method, path: request.path, received: error.received, expected: error.expected },
        'client aborted the request body',
      );
      return;
    }
    response.status(body.statusCode).json(body);
  };
}

function notUtf8(error: NotUtf8BodyError): ErrorBody {
  const rule = 'must be encoded in UTF-8';
  return {
    statusCode: 400,
    code: 'REQUEST.NOT_UTF8',
    message: `${error.message}: send application/json encoded in UTF-8`,
    details: [error.byte === undefined ? { field: 'body', rule } : { field: 'body', value: hexByte(error.byte), rule }],
  };
}

function unsupported(message: string): ErrorBody {
  return { statusCode: 415, code: 'REQUEST.UNSUPPORTED_MEDIA_TYPE', message };
}

function invalidBody(message: string): ErrorBody {
  return { statusCode: 400, code: 'REQUEST.INVALID_BODY', message };
}

function isBodyReadError(error: unknown): error is BodyReadError {
  return error instanceof Error && typeof (error as { status?: unknown }).status === 'number';
}
