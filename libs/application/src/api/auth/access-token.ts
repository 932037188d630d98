import { SignJWT } from 'jose';
import { Role } from './roles';

export interface AccessTokenClaims {
  readonly sub: string;
  readonly roles: readonly Role[];
  readonly profileIds?: readonly string[];
}

/** Signs a bearer token the AuthGuard accepts (HS256), for scripts, demos and tests. */
export function signAccessToken(secret: string, claims: AccessTokenClaims, expiresIn = '12h'): Promise<string> {
  return new SignJWT({ roles: [...claims.roles], profileIds: [...(claims.profileIds ?? [])] })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}
