import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import { map, Observable } from 'rxjs';

/**
 * Gives a single resource read with GET its stream revision as a strong ETag (`"3"`), the value
 * `If-Match` expects back. A response that already set one, or has no numeric `revision`, is left
 * alone. Express's own weak body-hash ETags are switched off at start, because `If-Match`
 * compares strongly and would refuse them.
 */
@Injectable()
export class RevisionEtagInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    if (http.getRequest<Request>().method !== 'GET') {
      return next.handle();
    }
    return next.handle().pipe(
      map((body: unknown) => {
        const response = http.getResponse<Response>();
        const revision = (body as { revision?: unknown } | null)?.revision;
        if (typeof revision === 'number' && !response.headersSent && response.getHeader('ETag') === undefined) {
          response.setHeader('ETag', `"${revision}"`);
        }
        return body;
      }),
    );
  }
}
