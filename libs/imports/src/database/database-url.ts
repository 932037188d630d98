/** SQL servers the database connector reads from. */
export type DatabaseDialect = 'postgres' | 'mariadb';

const DIALECT_BY_SCHEME: Readonly<Record<string, DatabaseDialect>> = {
  'postgres:': 'postgres',
  'postgresql:': 'postgres',
  'mysql:': 'mariadb',
  'mariadb:': 'mariadb',
};

/** URL schemes accepted for an import connection, as a sentence fragment for error messages. */
export const DATABASE_URL_SCHEMES = 'postgres://, postgresql://, mysql:// or mariadb://';

/** Returns the dialect of a connection URL, or undefined when the URL is invalid or has another scheme. */
export function databaseDialect(url: string): DatabaseDialect | undefined {
  try {
    return DIALECT_BY_SCHEME[new URL(url).protocol];
  } catch {
    return undefined;
  }
}

/**
 * Replaces the password of a connection URL in a text with `***`, in its raw and its decoded
 * spelling, so that a driver message quoting the URL does not leak it.
 */
export function hidePassword(text: string, url: string): string {
  let password = '';
  try {
    password = new URL(url).password;
  } catch {
    return text;
  }
  if (password === '') {
    return text;
  }
  const spellings = new Set([password, safeDecode(password)]);
  let hidden = text;
  for (const spelling of spellings) {
    hidden = hidden.split(spelling).join('***');
  }
  return hidden;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
