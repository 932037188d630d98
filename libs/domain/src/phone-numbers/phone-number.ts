import { CountryCode, isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/max';

export type PhoneNumberResult =
  { readonly ok: true; readonly e164: string; readonly country: string | undefined } | { readonly ok: false; readonly rule: string };

/** Number types that can receive an SMS. FIXED_LINE_OR_MOBILE is kept: some plans (US) do not tell them apart. */
const SMS_CAPABLE_TYPES = new Set(['MOBILE', 'FIXED_LINE_OR_MOBILE']);

/**
 * Normalises a phone number to E.164 with the full libphonenumber metadata. A national number
 * is read in `defaultCountry`; `00` international prefixes and a trunk `0` after the country code
 * (`+33 0 6...`) are accepted. Numbers that cannot receive an SMS (fixed lines, toll-free,
 * premium rate, ...) are rejected with their type.
 */
export function normalisePhoneNumber(raw: string, defaultCountry: string): PhoneNumberResult {
  const input = raw.trim();
  if (input === '') {
    return { ok: false, rule: 'is required' };
  }
  if (!/^[+\d\s().\-/]+$/.test(input)) {
    return { ok: false, rule: 'may contain only digits, spaces, dots, dashes, parentheses and a leading +' };
  }

  // French formatting may separate digit groups with no-break spaces (U+00A0, U+202F), which
  // libphonenumber does not read as spaces.
  const international = input.replace(/\s/g, ' ').replace(/^00/, '+');
  const parsed = parsePhoneNumberFromString(international, defaultCountry as CountryCode);
  // With the max metadata a number is valid exactly when it has a type. Calling isValid() as
  // well would run the same matching a second time.
  const type = parsed?.getType();
  if (parsed === undefined || type === undefined) {
    const where = international.startsWith('+') ? 'in its country' : `for ${defaultCountry}`;
    return { ok: false, rule: `is not a valid number ${where}` };
  }
  if (!SMS_CAPABLE_TYPES.has(type)) {
    return { ok: false, rule: `is a ${describeType(type)} number, which cannot receive SMS` };
  }
  return { ok: true, e164: parsed.number, country: parsed.country };
}

export function isCountryCode(value: string): boolean {
  return isSupportedCountry(value);
}

function describeType(type: string): string {
  return type.toLowerCase().replace(/_/g, ' ');
}
