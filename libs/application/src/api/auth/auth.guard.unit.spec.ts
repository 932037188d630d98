import { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError } from '@sms/domain';
import { SignJWT } from 'jose';
import { AuthGuard } from './auth.guard';
import { Caller, Roles } from './roles';

const SECRET = 'auth-guard-unit-test-secret-of-32-characters';

class MakerRoute {
  @Roles('maker')
  handle(): void {}
}

function sign(claims: Record<string, unknown>, subject: string): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(subject)
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(SECRET));
}

/** Runs the guard on a maker route with the token, and returns the caller or the error it throws. */
async function authenticate(token: string): Promise<{ caller?: Caller; error?: DomainError }> {
  const request: { headers: Record<string, string>; caller?: Caller } = { headers: { authorization: `Bearer ${token}` } };
  const context = {
    getHandler: () => MakerRoute.prototype.handle,
    getClass: () => MakerRoute,
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
  const guard = new AuthGuard(new Reflector(), { jwtSecret: SECRET, numberHashKey: 'unused' });
  try {
    await guard.canActivate(context);
    return { caller: request.caller };
  } catch (error) {
    return { error: error as DomainError };
  }
}

describe('AuthGuard claims', () => {
  it('accepts a well-formed token', async () => {
    const { caller } = await authenticate(await sign({ roles: ['maker'], profileIds: ['p-1'] }, 'alice'));

    expect(caller).toEqual({ id: 'alice', roles: ['maker'], profileIds: ['p-1'] });
  });

  it.each([
    ['a lone high surrogate in sub', { roles: ['maker'] }, 'a\ud800', 'sub', 'must be well-formed Unicode'],
    ['a lone low surrogate in sub', { roles: ['maker'] }, '\udc00b', 'sub', 'must be well-formed Unicode'],
    ['NUL in sub', { roles: ['maker'] }, 'a\u0000b', 'sub', 'must not contain control characters, but has U+0000 at index 1'],
    ['a sub of 201 characters', { roles: ['maker'] }, 'a'.repeat(201), 'sub', 'must be at most 200 characters long, but has 201'],
    ['a lone surrogate in profileIds', { roles: ['maker'], profileIds: ['p-1', 'p\ud800'] }, 'alice', 'profileIds[1]', 'well-formed'],
    ['NUL in profileIds', { roles: ['maker'], profileIds: ['p\u0000'] }, 'alice', 'profileIds[0]', 'control characters'],
    ['a number in profileIds', { roles: ['maker'], profileIds: [7] }, 'alice', 'profileIds[0]', 'must be a string'],
    ['a lone surrogate in roles', { roles: ['maker', 'x\udfff'] }, 'alice', 'roles[1]', 'must be well-formed Unicode'],
    ['NUL in roles', { roles: ['maker\u0000'] }, 'alice', 'roles[0]', 'control characters'],
  ])('rejects %s', async (_case, claims, subject, claim, rule) => {
    const { error } = await authenticate(await sign(claims, subject));

    expect(error).toBeInstanceOf(DomainError);
    expect(error?.code).toBe('AUTH.TOKEN_INVALID');
    expect(error?.kind).toBe('UNAUTHENTICATED');
    expect(error?.message).toContain(`the bearer token's ${claim} claim`);
    expect(error?.details).toEqual([expect.objectContaining({ field: claim, rule: expect.stringContaining(rule) })]);
  });

  it('accepts a sub of 200 characters', async () => {
    const { caller } = await authenticate(await sign({ roles: ['maker'] }, 'a'.repeat(200)));

    expect(caller?.id).toHaveLength(200);
  });

  it('rejects profileIds that is not an array', async () => {
    const { error } = await authenticate(await sign({ roles: ['maker'], profileIds: 'p-1' }, 'alice'));

    expect(error?.code).toBe('AUTH.TOKEN_INVALID');
    expect(error?.message).toContain("profileIds claim 'p-1' is not an array");
  });
});
