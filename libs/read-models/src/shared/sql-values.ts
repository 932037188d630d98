/** Converts a `timestamptz` value, which both drivers return as a Date, to the ISO-8601 string that queries return. */
export function toIsoString(value: Date): string;
export function toIsoString(value: Date | null): string | null;
export function toIsoString(value: Date | null): string | null {
  return value === null ? null : value.toISOString();
}

/** Escapes `%`, `_` and the escape character itself so a user's text matches literally inside a LIKE pattern. */
export function escapeLikePattern(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}
