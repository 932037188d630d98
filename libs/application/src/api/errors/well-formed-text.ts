/**
 * A UTF-16 surrogate without its partner: a high one not followed by a low one, or a low one not
 * preceded by a high one. JSON.parse makes them from escapes such as "\ud800". Node 20 lacks
 * String.prototype.isWellFormed, and this pattern has no `u` flag so that it matches code units.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Returns the rule that `text` breaks when it contains a lone surrogate, naming the first one and
 * its index, or undefined for well-formed text. PostgreSQL rejects lone surrogates in jsonb.
 */
export function loneSurrogateRule(text: string): string | undefined {
  const surrogate = LONE_SURROGATE.exec(text);
  if (surrogate === null) {
    return undefined;
  }
  const codePoint = `U+${surrogate[0].charCodeAt(0).toString(16).toUpperCase()}`;
  return `must be well-formed Unicode, but has the lone surrogate ${codePoint} at UTF-16 index ${surrogate.index}`;
}
