/**
 * Returns the rule a CRM URL breaks, or null when it may be called: it must be an http or https
 * URL without user name or password, whose host is on the allow-list. An entry `host` allows
 * every port of that host and an entry `host:port` only that port. Host names compare in any
 * letter case. An empty list allows nothing, because the import runs inside the service's network
 * and would otherwise reach any internal address (server-side request forgery).
 *
 * NOTE: the check is on the name in the URL. A listed name whose DNS record points into the
 * internal network is still called, so list only hosts whose DNS you trust.
 */
export function crmUrlViolation(url: string, allowedHosts: readonly string[]): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be an absolute http or https URL';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return 'must be an absolute http or https URL';
  }
  if (parsed.username !== '' || parsed.password !== '') {
    return 'must not contain a user name or password; send the token in the token field or name a credential';
  }
  if (!isAllowedHost(parsed, allowedHosts)) {
    const allowed = allowedHosts.length === 0 ? 'the list is empty' : `allowed: ${allowedHosts.join(', ')}`;
    return `must have a host listed in IMPORT_CRM_ALLOWED_HOSTS (${allowed})`;
  }
  return null;
}

function isAllowedHost(url: URL, allowedHosts: readonly string[]): boolean {
  const hostname = url.hostname.toLowerCase();
  let port = url.port;
  if (port === '') {
    port = url.protocol === 'https:' ? '443' : '80';
  }
  return allowedHosts.some((entry) => {
    const allowed = ALLOWED_HOST_ENTRY.exec(entry.trim().toLowerCase());
    return allowed !== null && allowed[1] === hostname && (allowed[2] === undefined || Number(allowed[2]) === Number(port));
  });
}

/** `host`, `host:port`, `[ipv6]` or `[ipv6]:port`; the host keeps its brackets, as URL.hostname does. */
const ALLOWED_HOST_ENTRY = /^(\[[^\]]+\]|[^:[\]]+)(?::(\d{1,5}))?$/;
