import { Role, ROLES } from '@sms/application';

/** The claims that the token tool signs. */
export interface TokenClaims {
  readonly sub: string;
  readonly roles: Role[];
  readonly profileIds: string[];
}

export const TOKEN_USAGE = `usage: npm run token -- <role>... [--sub id] [--profiles id,id]   (roles: ${ROLES.join(', ')})`;

/** An argument list that the token tool cannot turn into claims. */
export class TokenArgumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenArgumentError';
  }
}

/**
 * Reads the token tool's arguments: roles, `--sub id` for the subject (`defaultSub` when absent),
 * and `--profiles p1,p2` for an advisor's profiles. Throws a TokenArgumentError naming the fault.
 */
export function parseTokenArguments(args: readonly string[], defaultSub: string): TokenClaims {
  const roles: string[] = [];
  let sub = defaultSub;
  let profileIds: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const argument = args[index];
    if (argument === '--profiles') {
      profileIds = optionValue(args, index)
        .split(',')
        .filter((id) => id !== '');
      index += 1;
    } else if (argument === '--sub') {
      sub = optionValue(args, index);
      index += 1;
    } else if (argument.startsWith('--')) {
      throw new TokenArgumentError(`unknown option ${argument}`);
    } else {
      roles.push(argument);
    }
  }

  const unknown = roles.filter((role) => !(ROLES as readonly string[]).includes(role));
  if (unknown.length > 0) {
    throw new TokenArgumentError(`unknown role ${unknown.map((role) => `'${role}'`).join(', ')}`);
  }
  if (roles.length === 0) {
    throw new TokenArgumentError('no role given');
  }
  if (sub.trim() === '') {
    throw new TokenArgumentError('--sub must not be blank');
  }
  return { sub, roles: roles as Role[], profileIds };
}

function optionValue(args: readonly string[], index: number): string {
  const value = args[index + 1];
  if (value === undefined || value.startsWith('--')) {
    throw new TokenArgumentError(`${args[index]} needs a value`);
  }
  return value;
}
