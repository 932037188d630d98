/**
 * Parsers for single CSV cells. Each returns the value, or an InvalidValue carrying the rule the
 * cell breaks; the rule reads after the field name and the value ("must be ...", "is not ...").
 * Failures are values and not exceptions because a file may contain many bad rows.
 */
export class InvalidValue {
  constructor(readonly rule: string) {}
}

export const DEFAULT_PRIORITY = 5;
const MIN_PRIORITY = 1;
const MAX_PRIORITY = 10;

const PRIORITY_PATTERN = /^\d{1,2}$/;
const DECIMAL_POINT_PATTERN = /^[+-]?\d+(?:\.\d+)?$/;
const DECIMAL_POINT_OR_COMMA_PATTERN = /^[+-]?\d+(?:[.,]\d+)?$/;

/** Reads a priority from 1 (lowest) to 10 (highest); an empty cell is the default, 5. */
export function parsePriority(raw: string): number | InvalidValue {
  const text = raw.trim();
  if (text === '') {
    return DEFAULT_PRIORITY;
  }

  const priority = PRIORITY_PATTERN.test(text) ? Number(text) : NaN;
  if (!(priority >= MIN_PRIORITY && priority <= MAX_PRIORITY)) {
    return new InvalidValue(`must be an integer from ${MIN_PRIORITY} to ${MAX_PRIORITY}`);
  }
  return priority;
}

/**
 * Reads `true` or `false`, the only spellings that the insertIfDuplicate query parameter and the
 * JSON body of a single add accept, so that a file cannot mean something the API rejects. An
 * empty cell is `whenEmpty`.
 */
export function parseBoolean(raw: string, whenEmpty: boolean): boolean | InvalidValue {
  const text = raw.trim();
  if (text === '') {
    return whenEmpty;
  }
  if (text === 'true' || text === 'false') {
    return text === 'true';
  }
  return new InvalidValue('must be true or false (in lower case), or empty');
}

/**
 * Reads a decimal number without grouping separators. A decimal comma is accepted only when the
 * file's delimiter is not a comma, because in a comma-separated file "40,5" is two cells unless
 * quoted, and a quoted one is more likely a typing slip than a decimal.
 */
export function parseDecimal(raw: string, acceptDecimalComma: boolean): number | null | InvalidValue {
  const text = raw.trim();
  if (text === '') {
    return null;
  }

  if (acceptDecimalComma) {
    return DECIMAL_POINT_OR_COMMA_PATTERN.test(text)
      ? Number(text.replace(',', '.'))
      : new InvalidValue("is not a number (expected digits with an optional '.' or ',' decimal separator)");
  }
  return DECIMAL_POINT_PATTERN.test(text)
    ? Number(text)
    : new InvalidValue("is not a number (expected digits with an optional '.' decimal separator)");
}

/**
 * Removes one leading `'` from a phone number cell. The target export writes `'+33612345678`,
 * because a spreadsheet reads a cell that starts with `'` as text, neither as a formula nor as a
 * number that would lose its `+`.
 */
export function stripTextMarker(raw: string): string {
  const text = raw.trimStart();
  return text.startsWith("'") ? text.slice(1) : raw;
}

/**
 * Resolves IANA time zone names with the runtime's Intl data and caches each result. Names
 * are matched in any letter case and returned in their canonical spelling ('europe/paris'
 * becomes 'Europe/Paris').
 */
export class TimeZoneNames {
  private readonly resolved = new Map<string, string | null>();

  canonical(name: string): string | null {
    let canonical = this.resolved.get(name);
    if (canonical === undefined) {
      canonical = canonicalTimeZone(name);
      // Names come from the file; the cap keeps a file full of distinct bad names from growing the map.
      if (this.resolved.size < 1_000) {
        this.resolved.set(name, canonical);
      }
    }
    return canonical;
  }
}

/** Returns the canonical IANA name of a time zone, or null when the runtime does not know it. */
export function canonicalTimeZone(name: string): string | null {
  if (name === '') {
    return null;
  }
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}
