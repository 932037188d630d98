/**
 * Template placeholders: `{{key}}`, where a key is letters, digits, `_`, `-` or `.`, with optional
 * spaces inside the braces. Rendering is plain text substitution: no HTML escaping of any kind.
 */
const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g;

/** Names a plain JavaScript object already has: a value under one of them could not be distinguished from the built-in. */
const OBJECT_PROPERTY_NAMES: ReadonlySet<string> = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

/** Tells whether `key` is a property every plain object has, such as `constructor` or `toString`. */
export function isObjectPropertyName(key: string): boolean {
  return OBJECT_PROPERTY_NAMES.has(key);
}

export function extractPlaceholders(body: string): string[] {
  const keys = new Set<string>();
  for (const match of body.matchAll(PLACEHOLDER)) {
    keys.add(match[1]);
  }
  return [...keys];
}

export type RenderResult = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly missing: readonly string[] };

/**
 * Replaces every placeholder, or fails listing the keys that have no value. Only own properties
 * of `variables` count, so `{{constructor}}` or `{{toString}}` never renders a built-in of `Object`.
 */
export function renderTemplate(body: string, variables: Readonly<Record<string, unknown>>): RenderResult {
  const missing = extractPlaceholders(body).filter((key) => !hasPlaceholderValue(variables, key));
  if (missing.length > 0) {
    return { ok: false, missing };
  }
  const text = body.replace(PLACEHOLDER, (_, key: string) => String(variables[key]));
  return { ok: true, text };
}

/** Tells whether `variables` has an own value for `key` other than undefined, null and ''. */
export function hasPlaceholderValue(variables: Readonly<Record<string, unknown>>, key: string): boolean {
  if (!Object.hasOwn(variables, key)) {
    return false;
  }
  const value = variables[key];
  return value !== undefined && value !== null && value !== '';
}
