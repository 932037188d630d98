import { loadConfig, loadSecrets, signAccessToken } from '@sms/application';
import { parseTokenArguments, TOKEN_USAGE, TokenArgumentError, TokenClaims } from './token-arguments';

/**
 * Prints a bearer token for the local service: `npm run token -- maker [reporter ...]`,
 * `--sub id` for the subject that history shows as the actor (USER, else `local-user`, when
 * absent), and `--profiles p1,p2` for an advisor. The key is AUTH_JWT_SECRET, or else the secret
 * the embedded profile generated under DATA_DIR.
 */
async function main(): Promise<void> {
  const claims = readClaims(process.argv.slice(2));
  const secrets = await loadSecrets(loadConfig());
  const token = await signAccessToken(secrets.jwtSecret, claims);
  process.stdout.write(`${token}\n`);
}

/** Reads the claims from the arguments, or exits with status 2 after printing the fault and the usage. */
function readClaims(args: readonly string[]): TokenClaims {
  try {
    return parseTokenArguments(args, process.env.USER ?? 'local-user');
  } catch (error) {
    if (!(error instanceof TokenArgumentError)) throw error;
    console.error(`${error.message}\n${TOKEN_USAGE}`);
    process.exit(2);
  }
}

void main();
