/**
 * Template placeholders: `{{key}}`, where a key is letters, digits, `_`, `-` or `.`, with optional
 * spaces inside the braces. Rendering is plain text substitution: no HTML escaping of any kind.
 */
const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g;

export function extractPlaceholders(body: string): string[] {
  const keys = new Set<string>();
  for (const match of body.matchAll(PLACEHOLDER)) {
    keys.add(match[1]);
  }
  return [...keys];
}

export type RenderResult = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly missing: readonly string[] };

/** Replaces every placeholder; fails listing the keys that have no value. */
export function renderTemplate(body: string, variables: Readonly<Record<string, unknown>>): RenderResult {
  const missing = extractPlaceholders(body).filter((key) => !hasValue(variables[key]));
  if (missing.length > 0) {
    return { ok: false, missing };
  }
  const text = body.replace(PLACEHOLDER, (_, key: string) => String(variables[key]));
  return { ok: true, text };
}

function hasValue(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}
