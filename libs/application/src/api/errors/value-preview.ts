/** Maximum length of a value quoted in an error message. The `details` carry the value in full. */
const MAX_PREVIEW_LENGTH = 80;

// eslint-disable-next-line no-control-regex -- control characters are what this pattern finds
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/g;

/**
 * Formats a value for an error message: a string in single quotes with its control characters
 * written as \uXXXX escapes (so a message never carries U+0000 raw), other values as JSON, either
 * cut to MAX_PREVIEW_LENGTH characters.
 */
export function previewValue(value: unknown): string {
  const text =
    typeof value === 'string'
      ? `'${value.replace(CONTROL_CHARACTER, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`)}'`
      : (JSON.stringify(value) ?? String(value));
  return text.length > MAX_PREVIEW_LENGTH ? `${text.slice(0, MAX_PREVIEW_LENGTH - 1)}…` : text;
}
