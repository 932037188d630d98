import { extractPlaceholders, hasPlaceholderValue, renderTemplate } from '../messages/placeholders';
import { measureSms } from '../messages/sms-encoding';
import { FieldViolation } from '../shared/domain-error';

/**
 * Segments one message can have at most, because the concatenation header counts them in one
 * octet. The SMPP gateway fails a longer message with MESSAGE_TOO_LONG instead of submitting it.
 */
export const MAX_MESSAGE_SEGMENTS = 255;

/**
 * UTF-16 code units that fit in MAX_MESSAGE_SEGMENTS segments whatever the text. UCS-2 is the
 * tighter encoding: 67 units per segment, or 66 when a surrogate pair would straddle two. GSM-7
 * fits at least 152 septets in a segment, and one unit takes at most 2 septets.
 */
const UNITS_THAT_ALWAYS_FIT = MAX_MESSAGE_SEGMENTS * 66;

/** Check of one target's values, which returns no violation or one naming the layout field to shorten. */
export type MessageLengthCheck = (values: Readonly<Record<string, unknown>>, phoneNumber: string) => FieldViolation[];

/**
 * Builds the check that a target's values render `template` into a message of at most
 * MAX_MESSAGE_SEGMENTS segments. The check first adds the template's length to the length of
 * every value at each place it is rendered. Only when that upper bound exceeds what always fits
 * does it render and count segments, so targets with short values cost a few additions. A value
 * that is missing counts as empty: missingValueViolations reports it.
 */
export function messageLengthCheck(template: { readonly id: string; readonly body: string }): MessageLengthCheck {
  const occurrences = countOccurrences(template.body);
  return (values, phoneNumber) => {
    let upperBound = template.body.length;
    let longest: { key: string; units: number } | undefined;
    for (const [key, count] of occurrences) {
      // The sender renders the target's own number into {{phoneNumber}}, whatever the values contain.
      const units = count * (key === 'phoneNumber' ? phoneNumber.length : valueLength(values, key));
      upperBound += units;
      if (key !== 'phoneNumber' && (longest === undefined || units > longest.units)) {
        longest = { key, units };
      }
    }
    if (upperBound <= UNITS_THAT_ALWAYS_FIT || longest === undefined) {
      return [];
    }

    const rendered = renderTemplate(template.body, { ...values, phoneNumber });
    if (!rendered.ok) {
      return [];
    }
    const length = measureSms(rendered.text);
    if (length.segments <= MAX_MESSAGE_SEGMENTS) {
      return [];
    }
    const rule =
      `makes the message of template '${template.id}' ${length.segments} segments long (${length.encoding}), ` +
      `over the maximum of ${MAX_MESSAGE_SEGMENTS} segments for one SMS, so shorten the value`;
    return [{ field: `layout.values.${longest.key}`, rule }];
  };
}

/**
 * Counts the places where each placeholder occurs in `body`. It renders the body once with a
 * one-character value for every key, then once per key with a two-character value, and the growth
 * in length is the count. Rendering keeps the placeholder syntax in one place.
 */
function countOccurrences(body: string): Map<string, number> {
  const keys = extractPlaceholders(body);
  const base = Object.fromEntries(keys.map((key) => [key, 'x']));
  const baseLength = renderedLength(body, base);
  return new Map(keys.map((key) => [key, renderedLength(body, { ...base, [key]: 'xx' }) - baseLength]));
}

function renderedLength(body: string, values: Readonly<Record<string, unknown>>): number {
  const rendered = renderTemplate(body, values);
  return rendered.ok ? rendered.text.length : 0;
}

/** UTF-16 length of a value as rendering writes it, or 0 when it has none. */
function valueLength(values: Readonly<Record<string, unknown>>, key: string): number {
  return hasPlaceholderValue(values, key) ? String(values[key]).length : 0;
}
