import { loadConfig, loadSecrets, Role, ROLES, signAccessToken } from '@sms/application';

/**
 * Prints a bearer token for the local service: `npm run token -- maker [reporter ...]`, and
 * `--profiles p1,p2` for an advisor. The key is AUTH_JWT_SECRET, or else the secret the embedded
 * profile generated under DATA_DIR.
 */
async function main(): Promise<void> {
  const roles: string[] = [];
  let profileIds: string[] = [];
  const args = process.argv.slice(2);
  for (let index = 0; index < args.length; index += 1) {
    if (args[index] === '--profiles') {
      profileIds = (args[index + 1] ?? '').split(',').filter((id) => id !== '');
      index += 1;
    } else {
      roles.push(args[index]);
    }
  }
  const unknown = roles.filter((role) => !(ROLES as readonly string[]).includes(role));
  if (roles.length === 0 || unknown.length > 0) {
    console.error(`usage: npm run token -- <role>... [--profiles id,id]   (roles: ${ROLES.join(', ')})`);
    process.exit(2);
  }
  const secrets = await loadSecrets(loadConfig());
  const token = await signAccessToken(secrets.jwtSecret, { sub: process.env.USER ?? 'local-user', roles: roles as Role[], profileIds });
  process.stdout.write(`${token}\n`);
}

void main();
