import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError } from '@sms/domain';
import { JWTPayload, jwtVerify } from 'jose';
import { SECRETS } from '../../infrastructure/tokens';
import { Secrets } from '../../infrastructure/secrets';
import { previewValue } from '../errors/value-preview';
import { readClaimText } from './claim-text';
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
    const payload = await this.verify(match[1]);
    // jose checks exp only when present; a token without one would never expire.
    if (payload.exp === undefined) {
      throw invalidToken('the bearer token has no exp claim: sign it with an expiry time');
    }
    if (payload.sub === undefined || payload.sub === '') {
      throw invalidToken('the bearer token has no sub claim');
    }
    const id = readClaimText('sub', payload.sub);
    return { id, roles: readRoles(payload.roles), profileIds: readProfileIds(payload.profileIds) };
  }

  private async verify(token: string): Promise<JWTPayload> {
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'] });
      return payload;
    } catch (error) {
      throw invalidToken(`the bearer token is invalid: ${(error as Error).message}`);
    }
  }
}

function invalidToken(message: string): DomainError {
  return new DomainError('AUTH.TOKEN_INVALID', 'UNAUTHENTICATED', message);
}

/**
 * Returns the known roles of the `roles` claim. An absent claim gives no role, and the route's role
 * check rejects the call with 403. A claim that is present but names no known role comes from a
 * token issued for something else, so it is rejected here with what the claim contains.
 */
function readRoles(claim: unknown): Role[] {
  if (claim === undefined) {
    return [];
  }
  const known = ROLES.join(', ');
  if (!Array.isArray(claim)) {
    throw new DomainError(
      'AUTH.ROLE_REQUIRED',
      'FORBIDDEN',
      `the token's roles claim ${previewValue(claim)} is not an array; it must list roles among ${known}`,
    );
  }
  claim.forEach((role, index) => readClaimText(`roles[${index}]`, role));
  const roles = claim.filter((role): role is Role => ROLES.includes(role));
  if (roles.length === 0) {
    throw new DomainError(
      'AUTH.ROLE_REQUIRED',
      'FORBIDDEN',
      `the token's roles claim ${previewValue(claim)} contains no known role; known roles are ${known}`,
    );
  }
  return roles;
}

/** Returns the `profileIds` claim, which advisors need and other roles may leave out. */
function readProfileIds(claim: unknown): string[] {
  if (claim === undefined) {
    return [];
  }
  if (!Array.isArray(claim)) {
    throw invalidToken(`the bearer token's profileIds claim ${previewValue(claim)} is not an array of profile ids`);
  }
  return claim.map((profileId, index) => readClaimText(`profileIds[${index}]`, profileId));
}
