import { InvalidSmppUrlError } from './smpp-errors';

export interface SmppEndpoint {
  readonly host: string;
  readonly port: number;
  readonly systemId: string;
  readonly password: string;
}

/** Port used when the URL names none: the usual SMPP port, and node-smpp's default too. */
const DEFAULT_SMPP_PORT = 2775;

/**
 * Parses `smpp://system_id:password@host:port`. Percent-encoded characters in the system_id and
 * password are decoded, so a password containing `@` or `:` can be written as `%40` or `%3A`.
 */
export function parseSmppUrl(url: string): SmppEndpoint {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidSmppUrlError(maskSmppUrl(url), 'expected smpp://system_id:password@host:port');
  }

  const masked = maskSmppUrl(url);
  if (parsed.protocol !== 'smpp:') {
    throw new InvalidSmppUrlError(masked, `scheme must be smpp:, got ${parsed.protocol}`);
  }
  if (parsed.hostname === '') {
    throw new InvalidSmppUrlError(masked, 'host is missing');
  }
  if (parsed.username === '') {
    throw new InvalidSmppUrlError(masked, 'system_id (the user part) is missing');
  }

  return {
    // WHATWG URL keeps the brackets of an IPv6 literal, which net.connect does not accept.
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: parsed.port === '' ? DEFAULT_SMPP_PORT : Number(parsed.port),
    systemId: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
  };
}

/** Replaces the password of an SMPP URL with `***`, for logs and error messages. */
export function maskSmppUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/]*):[^@/]*@/i, '$1:***@');
}
