import { randomUUID } from 'node:crypto';
import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { CommandContext } from '../commands/command-context';
import { Caller } from './auth/roles';

/** Builds the command context of an HTTP request, with the caller as actor and `X-Correlation-Id` if sent. */
export const RequestContext = createParamDecorator((role: string | undefined, context: ExecutionContext): CommandContext => {
  const request = context.switchToHttp().getRequest<Request & { caller: Caller }>();
  const requestId = randomUUID();
  const header = request.headers['x-correlation-id'];
  const correlationId = typeof header === 'string' && /^[\w.:-]{1,100}$/.test(header) ? header : requestId;
  const actorRole = role ?? request.caller.roles[0] ?? 'unknown';
  return {
    actor: { id: `user:${request.caller.id}`, role: actorRole },
    correlationId,
    causationId: requestId,
    now: new Date().toISOString(),
  };
});
