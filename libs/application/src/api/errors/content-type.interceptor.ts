import { CallHandler, ExecutionContext, Injectable, NestInterceptor, SetMetadata, UnsupportedMediaTypeException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { Observable } from 'rxjs';

const REQUEST_MEDIA_TYPES_KEY = 'requestMediaTypes';

/** Media types read by routes without @AcceptsMediaTypes. */
const JSON_ONLY = ['application/json'];

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/** Declares the media types a route reads from its request body. Routes without it read JSON only. */
export const AcceptsMediaTypes = (...mediaTypes: string[]) => SetMetadata(REQUEST_MEDIA_TYPES_KEY, mediaTypes);

/**
 * Rejects with 415 a POST, PUT or PATCH whose body has a media type the route does not read. Without
 * it, the JSON parser skips such a body and the ValidationPipe reports every field as missing,
 * which hides the real mistake.
 */
@Injectable()
export class ContentTypeInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<Request>();
    if (METHODS_WITH_BODY.has(request.method) && carriesBody(request)) {
      const accepted =
        this.reflector.getAllAndOverride<string[] | undefined>(REQUEST_MEDIA_TYPES_KEY, [context.getHandler(), context.getClass()]) ??
        JSON_ONLY;
      if (request.is(accepted) === false) {
        throw new UnsupportedMediaTypeException(describeRejection(request.headers['content-type'], accepted));
      }
    }
    return next.handle();
  }
}

/**
 * True when the request announces body bytes. `Content-Length: 0`, which clients send for a POST
 * without a body, counts as no body.
 */
function carriesBody(request: Request): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && Number(length) > 0);
}

function describeRejection(contentType: string | undefined, accepted: readonly string[]): string {
  const expected = accepted.length === 1 ? accepted[0] : `${accepted.slice(0, -1).join(', ')} or ${accepted.at(-1)}`;
  if (contentType === undefined || contentType.trim() === '') {
    return `the request has a body but no Content-Type: send ${expected}`;
  }
  return `Content-Type '${contentType}' is not accepted: send ${expected}`;
}
