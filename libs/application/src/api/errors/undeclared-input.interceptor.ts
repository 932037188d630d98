import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { Reflector } from '@nestjs/core';
import { DomainError } from '@sms/domain';
import type { Request } from 'express';
import { Observable } from 'rxjs';
import { PUBLIC_KEY } from '../auth/roles';
import { previewValue } from './value-preview';

const NOT_ACCEPTED_RULE = 'is not accepted by this call';

/** Parameter kinds that give a handler the raw request, so it may read any body or query itself. */
const RAW_INPUT_KINDS: ReadonlySet<RouteParamtypes> = new Set([RouteParamtypes.REQUEST, RouteParamtypes.RAW_BODY]);

/** Parameter kinds that read the request body. */
const BODY_KINDS: ReadonlySet<RouteParamtypes> = new Set([RouteParamtypes.BODY, RouteParamtypes.FILE, RouteParamtypes.FILES]);

/**
 * Rejects with 400 REQUEST.INVALID the input a handler never reads: a JSON body (other than `{}`)
 * sent to a handler without @Body, and any query parameter sent to one without @Query. DTO
 * validation cannot catch either, because it runs only on the parameters a handler declares.
 * Handlers that take @Req or @RawBody read the request themselves and are left alone. So are
 * @Public routes (the health probe), because probes may add cache-busting query parameters.
 */
@Injectable()
export class UndeclaredInputInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http' || this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, [context.getHandler(), context.getClass()])) {
      return next.handle();
    }
    const kinds = declaredParameterKinds(context);
    if ([...kinds].some((kind) => RAW_INPUT_KINDS.has(kind))) {
      return next.handle();
    }

    const request = context.switchToHttp().getRequest<Request>();
    if (![...kinds].some((kind) => BODY_KINDS.has(kind))) {
      rejectBody(request.body);
    }
    if (!kinds.has(RouteParamtypes.QUERY)) {
      rejectQuery(request.query);
    }
    return next.handle();
  }
}

/**
 * Lists the built-in parameter kinds of the handler, which Nest stores under keys `<kind>:<index>`.
 * Keys of custom decorators such as @RequestContext start with a generated name. They are skipped,
 * because those decorators read only the caller and headers.
 */
function declaredParameterKinds(context: ExecutionContext): ReadonlySet<RouteParamtypes> {
  const metadata = (Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), context.getHandler().name) ?? {}) as Record<
    string,
    unknown
  >;
  const kinds = new Set<RouteParamtypes>();
  for (const key of Object.keys(metadata)) {
    const kind = Number(key.split(':')[0]);
    if (Number.isInteger(kind)) {
      kinds.add(kind as RouteParamtypes);
    }
  }
  return kinds;
}

/** `undefined` is a request without a body, and `{}` is what many clients send for one. */
function rejectBody(body: unknown): void {
  if (body === undefined) {
    return;
  }
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    const [field] = Object.keys(body);
    if (field !== undefined) {
      throw notAccepted('body field', field, (body as Record<string, unknown>)[field]);
    }
    return;
  }
  throw notAccepted('the', 'body', body);
}

function rejectQuery(query: Record<string, unknown> | undefined): void {
  const [parameter] = Object.keys(query ?? {});
  if (parameter !== undefined) {
    throw notAccepted('query parameter', parameter, query?.[parameter]);
  }
}

function notAccepted(location: string, field: string, value: unknown): DomainError {
  return new DomainError('REQUEST.INVALID', 'INVALID', `${location} ${field} ${previewValue(value)} ${NOT_ACCEPTED_RULE}`, [
    { field, value, rule: NOT_ACCEPTED_RULE },
  ]);
}
