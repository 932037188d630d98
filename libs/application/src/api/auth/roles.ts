import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';

export const ROLES = ['maker', 'advisor', 'reporter', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

/** The caller, from a verified bearer token. */
export interface Caller {
  readonly id: string;
  readonly roles: readonly Role[];
  readonly profileIds: readonly string[];
}

export const ROLES_KEY = 'roles';
export const PUBLIC_KEY = 'public';

/** Any one of these roles lets the caller in. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);
export const Public = () => SetMetadata(PUBLIC_KEY, true);

export const CurrentCaller = createParamDecorator((_: unknown, context: ExecutionContext): Caller => {
  const request = context.switchToHttp().getRequest<{ caller: Caller }>();
  return request.caller;
});
