import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError } from '@sms/domain';
import { jwtVerify } from 'jose';
import { SECRETS } from '../../infrastructure/tokens';
import { Secrets } from '../../infrastructure/secrets';
import { Caller, PUBLIC_KEY, Role, ROLES, ROLES_KEY } from './roles';

/**
 * Verifies `Authorization: Bearer <JWT>` (HS256 with AUTH_JWT_SECRET) on every route except those
 * marked @Public, then checks the route's roles. 401 for a missing or invalid token, 403 for a role
 * the caller lacks.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly key: Uint8Array;

  constructor(
    private readonly reflector: Reflector,
    @Inject(SECRETS) secrets: Secrets,
  ) {
    this.key = new TextEncoder().encode(secrets.jwtSecret);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) {
      return true;
    }
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; caller?: Caller }>();
    const caller = await this.authenticate(request.headers.authorization);
    request.caller = caller;

    const allowed = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets) ?? [];
    if (!allowed.some((role) => caller.roles.includes(role))) {
      throw new DomainError(
        'AUTH.ROLE_REQUIRED',
        'FORBIDDEN',
        `this call needs one of the roles ${allowed.join(', ')}; the token has ${caller.roles.join(', ') || 'none'}`,
      );
    }
    return true;
  }

  private async authenticate(header: string | undefined): Promise<Caller> {
    const match = /^Bearer (\S+)$/i.exec(header ?? '');
    if (match === null) {
      throw new DomainError('AUTH.TOKEN_MISSING', 'UNAUTHENTICATED', 'an Authorization: Bearer <JWT> header is required');
    }
    try {
      const { payload } = await jwtVerify(match[1], this.key, { algorithms: ['HS256'] });
      const roles = Array.isArray(payload.roles) ? payload.roles.filter((role): role is Role => ROLES.includes(role)) : [];
      const profileIds = Array.isArray(payload.profileIds) ? payload.profileIds.map(String) : [];
      if (typeof payload.sub !== 'string' || payload.sub === '') {
        throw new Error('the token has no sub claim');
      }
      return { id: payload.sub, roles, profileIds };
    } catch (error) {
      throw new DomainError('AUTH.TOKEN_INVALID', 'UNAUTHENTICATED', `the bearer token is invalid: ${(error as Error).message}`);
    }
  }
}
