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

/** Maps every error to HTTP once. Unexpected errors are logged and get a 500 without internals. */
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
      return fromHttpException(error);
    }
    const clientError = fromClientHttpError(error);
    if (clientError !== undefined) {
      return clientError;
    }
    return { statusCode: 500, code: 'INTERNAL', message: 'the request failed on the server; see its logs' };
  }
}

/** Codes of the client errors raised as Nest HttpExceptions (multer, the router, Nest itself). */
const CODE_OF_STATUS: Readonly<Record<number, string>> = {
  400: 'REQUEST.INVALID',
  404: 'REQUEST.ROUTE_NOT_FOUND',
  413: 'REQUEST.TOO_LARGE',
  415: 'REQUEST.UNSUPPORTED_MEDIA_TYPE',
};

function fromHttpException(error: HttpException): ErrorBody {
  const status = error.getStatus();
  const response = error.getResponse();
  // An exception built with a full error body (as the health check does) keeps its code.
  const ownCode = typeof response === 'object' && 'code' in response && typeof response.code === 'string' ? response.code : undefined;
  return { statusCode: status, code: ownCode ?? CODE_OF_STATUS[status] ?? `HTTP.${status}`, message: error.message };
}

/**
 * Maps the http-errors that Express middleware (body parsers, the router) raise, which reach the
 * filter without being HttpExceptions. Their `expose` flag marks a message meant for the client.
 */
function fromClientHttpError(error: unknown): ErrorBody | undefined {
  if (!(error instanceof Error)) {
    return undefined;
  }
  const { status, expose } = error as { status?: unknown; expose?: unknown };
  if (typeof status !== 'number' || status < 400 || status >= 500 || expose !== true) {
    return undefined;
  }
  return { statusCode: status, code: CODE_OF_STATUS[status] ?? `HTTP.${status}`, message: error.message };
}
