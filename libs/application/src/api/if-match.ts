import { DomainError } from '@sms/domain';

const RULE = 'must be an ETag returned by this API, such as "3", or *';

/**
 * Reads `If-Match` into the expected stream revision: `"3"` (or a bare `3`) gives 3. An absent
 * header or `*` gives undefined, so no revision is checked. `*` matches any current
 * representation, and the handler still returns 404 when the resource does not exist.
 */
export function parseIfMatch(header: string | undefined): number | undefined {
  const value = header?.trim() ?? '';
  if (value === '' || value === '*') {
    return undefined;
  }
  if (value.startsWith('W/')) {
    // RFC 9110 section 13.1.1: If-Match compares strongly, so a weak tag never matches.
    throw DomainError.invalid(
      'REQUEST.INVALID_IF_MATCH',
      'If-Match',
      header,
      'must be a strong ETag such as "3": If-Match uses strong comparison, so a weak W/ tag never matches',
    );
  }
  const match = /^(?:"(\d+)"|(\d+))$/.exec(value);
  const revision = Number(match?.[1] ?? match?.[2]);
  if (match === null || !Number.isSafeInteger(revision)) {
    throw DomainError.invalid('REQUEST.INVALID_IF_MATCH', 'If-Match', header, RULE);
  }
  return revision;
}
