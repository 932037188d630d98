import { DomainError } from '@sms/domain';

/** `If-Match: "3"` (or `3`, or `W/"3"`) gives revision 3; absent gives undefined. */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '') {
    return undefined;
  }
  const match = /^(?:W\/)?"?(\d+)"?$/.exec(header.trim());
  if (match === null) {
    throw DomainError.invalid('REQUEST.INVALID_IF_MATCH', 'If-Match', header, 'must be an ETag returned by this API, such as "3"');
  }
  return Number(match[1]);
}
