import { DomainError } from '@sms/domain';
import { previewValue } from '../errors/value-preview';
import { loneSurrogateRule } from '../errors/well-formed-text';

/** Maximum length of `sub` and of each `roles` and `profileIds` entry, in UTF-16 code units. */
export const MAX_CLAIM_TEXT_LENGTH = 200;

// eslint-disable-next-line no-control-regex -- control characters are what this pattern finds
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/**
 * Returns the claim value when it is text that the event store can keep as actor metadata: a
 * non-empty string of at most MAX_CLAIM_TEXT_LENGTH code units, without control characters and
 * without lone surrogates. PostgreSQL rejects U+0000 and lone surrogates in jsonb, so a token
 * carrying them would fail every write with a 500. Throws 401 AUTH.TOKEN_INVALID naming the claim
 * and the rule otherwise.
 */
export function readClaimText(claim: string, value: unknown): string {
  const rule = claimTextViolation(value);
  if (rule !== undefined) {
    throw new DomainError('AUTH.TOKEN_INVALID', 'UNAUTHENTICATED', `the bearer token's ${claim} claim ${previewValue(value)} ${rule}`, [
      { field: claim, value, rule },
    ]);
  }
  return value as string;
}

function claimTextViolation(value: unknown): string | undefined {
  if (typeof value !== 'string') {
    return 'must be a string';
  }
  if (value === '') {
    return 'must not be empty';
  }
  if (value.length > MAX_CLAIM_TEXT_LENGTH) {
    return `must be at most ${MAX_CLAIM_TEXT_LENGTH} characters long, but has ${value.length}`;
  }
  const control = CONTROL_CHARACTER.exec(value);
  if (control !== null) {
    return `must not contain control characters, but has ${codePoint(control[0])} at index ${control.index}`;
  }
  return loneSurrogateRule(value);
}

function codePoint(character: string): string {
  return `U+${character.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}
