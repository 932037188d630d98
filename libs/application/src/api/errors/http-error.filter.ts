import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Inject } from '@nestjs/common';
import { DomainError, DomainErrorKind, FieldViolation } from '@sms/domain';
import { WrongExpectedRevisionError } from '@sms/event-store';
import type { Request, Response } from 'express';
import { LOGGER } from '../../infrastructure/tokens';
import { AppLogger } from '../../logging/logger';

/** The error body of every endpoint: `{ statusCode, code, message, details? }`. */
export interface ErrorBody {
  readonly statusCode: number;
  readonly code: string;
  readonly message: string;
  readonly details?: readonly FieldViolation[];
}

const STATUS_OF_KIND: Record<DomainErrorKind, number> = {
  INVALID: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PRECONDITION_FAILED: 412,
  TOO_LARGE: 413,
};

/** Maps every error to HTTP once; unexpected errors are logged and answered 500 without internals. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly logger: AppLogger) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<Response>();
    const request = http.getRequest<Request>();
    const body = this.toBody(error);
    if (body.statusCode >= 500) {
      this.logger.error({ err: error, method: request.method, path: request.path }, 'request failed');
    }
    response.status(body.statusCode).json(body);
  }

  private toBody(error: unknown): ErrorBody {
    if (error instanceof DomainError) {
      const base = { statusCode: STATUS_OF_KIND[error.kind], code: error.code, message: error.message };
      return error.details === undefined ? base : { ...base, details: error.details };
    }
    if (error instanceof WrongExpectedRevisionError) {
      return {
        statusCode: HttpStatus.PRECONDITION_FAILED,
        code: 'REQUEST.REVISION_MISMATCH',
        message: `If-Match revision ${String(error.expected)} does not match the current revision ${error.actual}`,
      };
    }
    if (error instanceof HttpException) {
      return this.fromHttpException(error);
    }
    const parserError = bodyParserError(error);
    if (parserError !== undefined) {
      return parserError;
    }
    return { statusCode: 500, code: 'INTERNAL', message: 'the request failed on the server; see its logs' };
  }

  private fromHttpException(error: HttpException): ErrorBody {
    const status = error.getStatus();
    const codes: Record<number, string> = {
      404: 'REQUEST.ROUTE_NOT_FOUND',
      413: 'REQUEST.TOO_LARGE',
      415: 'REQUEST.UNSUPPORTED_MEDIA_TYPE',
    };
    return { statusCode: status, code: codes[status] ?? `HTTP.${status}`, message: error.message };
  }
}

/** body-parser errors: malformed JSON (400) and too large bodies (413). */
export function bodyParserError(error: unknown): ErrorBody | undefined {
  const candidate = error as { type?: string; status?: number; message?: string; limit?: number } | undefined;
  if (candidate?.type === 'entity.parse.failed') {
    return { statusCode: 400, code: 'REQUEST.MALFORMED_JSON', message: `the body is not valid JSON: ${candidate.message}` };
  }
  if (candidate?.type === 'entity.too.large') {
    return { statusCode: 413, code: 'REQUEST.TOO_LARGE', message: `the body is larger than the limit of ${candidate.limit} bytes` };
  }
  return undefined;
}

/**
 * Express error middleware for the body parsers. Nest turns their errors into a bare 400 before
 * any filter sees them, so they are answered here, in the same error shape.
 */
export function bodyParserErrorHandler(error: unknown, _request: Request, response: Response, next: (error?: unknown) => void): void {
  const body = bodyParserError(error);
  if (body === undefined) {
    next(error);
    return;
  }
  response.status(body.statusCode).json(body);
}
