/**
 * NATS subject rules, shared by both transports so the in-process one accepts and routes exactly
 * what JetStream would. A subject is dot-separated tokens. In a filter, `*` matches one token and
 * `>` (last token only) matches one or more.
 */

const FORBIDDEN_TOKEN_CHARACTERS = /[\s\0]/;

/** Returns true when `subject` is well formed. Wildcards are allowed only when `allowWildcards` is true. */
export function isValidSubject(subject: string, allowWildcards: boolean): boolean {
  if (subject.length === 0) {
    return false;
  }

  const tokens = subject.split('.');
  return tokens.every((token, index) => {
    if (token.length === 0 || FORBIDDEN_TOKEN_CHARACTERS.test(token)) {
      return false;
    }
    if (token === '*') {
      return allowWildcards;
    }
    if (token === '>') {
      return allowWildcards && index === tokens.length - 1;
    }
    return !token.includes('*') && !token.includes('>');
  });
}

/** Returns true when the literal `subject` matches `filter`. */
export function subjectMatchesFilter(subject: string, filter: string): boolean {
  return filterIsSubsetOf(subject, filter);
}

/** Returns true when every subject that matches `inner` also matches `outer`. */
export function filterIsSubsetOf(inner: string, outer: string): boolean {
  const innerTokens = inner.split('.');
  const outerTokens = outer.split('.');

  for (let i = 0; i < outerTokens.length; i++) {
    const outerToken = outerTokens[i];
    const innerToken = innerTokens[i];
    if (innerToken === undefined) {
      return false;
    }
    if (outerToken === '>') {
      return true;
    }
    if (innerToken === '>') {
      return false;
    }
    if (outerToken !== '*' && outerToken !== innerToken) {
      return false;
    }
  }
  return innerTokens.length === outerTokens.length;
}

/** Returns true when at least one subject matches both filters. */
export function filtersOverlap(first: string, second: string): boolean {
  const firstTokens = first.split('.');
  const secondTokens = second.split('.');
  const shared = Math.min(firstTokens.length, secondTokens.length);

  for (let i = 0; i < shared; i++) {
    const a = firstTokens[i];
    const b = secondTokens[i];
    if (a === '>' || b === '>') {
      return true;
    }
    if (a !== '*' && b !== '*' && a !== b) {
      return false;
    }
  }
  return firstTokens.length === secondTokens.length;
}
