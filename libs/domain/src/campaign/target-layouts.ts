import { hasPlaceholderValue, isObjectPropertyName } from '../messages/placeholders';
import { DomainError, FieldViolation } from '../shared/domain-error';

export type LayoutFieldType = 'string' | 'number' | 'date';

export type LayoutField = { key: string; label: string; type: LayoutFieldType };

/** A named set of extra fields a campaign's targets carry, usable as template placeholders. */
export type TargetLayout = { name: string; fields: LayoutField[] };

/**
 * Placeholders every target can fill without a layout. Layout fields may not reuse these names,
 * nor the import columns, or an import header would be ambiguous.
 */
export const BUILT_IN_PLACEHOLDERS: readonly string[] = ['phoneNumber'];
const RESERVED_KEYS: ReadonlySet<string> = new Set(['phoneNumber', 'startDate', 'priority', 'insertIfDuplicate', 'timeZone']);

/** Same characters as a template placeholder key, so every field can be used as one. */
const FIELD_KEY = /^[A-Za-z0-9_.-]{1,64}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})?)?$/;

export const LAYOUT_LIMITS = { layouts: 20, fieldsPerLayout: 50, nameLength: 60, labelLength: 100 } as const;

/**
 * Rules on a campaign's set of layouts that one field's validation cannot see: unique names,
 * unique keys within a layout, no reserved key. The caller has checked each field's shape.
 */
export function layoutViolations(layouts: readonly TargetLayout[]): FieldViolation[] {
  const violations: FieldViolation[] = [];
  const names = new Set<string>();
  layouts.forEach((layout, index) => {
    const name = layout.name.trim().toLowerCase();
    if (names.has(name)) {
      violations.push({ field: `layouts[${index}].name`, value: layout.name, rule: 'must be unique among the layouts (ignoring case)' });
    }
    names.add(name);
    const keys = new Set<string>();
    layout.fields.forEach((field, fieldIndex) => {
      const path = `layouts[${index}].fields[${fieldIndex}].key`;
      if (!FIELD_KEY.test(field.key)) {
        violations.push({ field: path, value: field.key, rule: 'must be 1 to 64 letters, digits, "_", "-" or "."' });
      } else if (isObjectPropertyName(field.key)) {
        violations.push({ field: path, value: field.key, rule: 'is a built-in property name of JavaScript objects; choose another key' });
      } else if (RESERVED_KEYS.has(field.key)) {
        violations.push({ field: path, value: field.key, rule: `is reserved for the target's own ${field.key}` });
      } else if (keys.has(field.key)) {
        violations.push({ field: path, value: field.key, rule: `must be unique within layout '${layout.name}'` });
      }
      keys.add(field.key);
    });
  });
  return violations;
}

/**
 * A campaign renders one template for every target, whatever layout the target uses, so every
 * layout must define every placeholder of the template that is not built in. Returns, per layout
 * that falls short, the keys it lacks.
 */
export function uncoveredPlaceholders(
  layouts: readonly TargetLayout[],
  placeholders: readonly string[],
): Array<{ index: number; layout: TargetLayout; missing: string[] }> {
  const needed = placeholders.filter((key) => !BUILT_IN_PLACEHOLDERS.includes(key));
  return layouts
    .map((layout, index) => ({ index, layout, missing: needed.filter((key) => !layout.fields.some((field) => field.key === key)) }))
    .filter(({ missing }) => missing.length > 0);
}

/**
 * Checks a target's layout values against the campaign's layouts: the layout exists, each key is
 * one of its fields and each value has the field's type. Null stands for an empty value. A
 * campaign that defines no layouts takes free-form values, as before layouts existed, except keys
 * such as `constructor` or `toString`: every object has them, so their values would be lost or
 * misread where values are looked up by key.
 */
export function layoutValueViolations(
  layouts: readonly TargetLayout[],
  layout: { name: string; values: Record<string, unknown> },
  path = 'layout',
): FieldViolation[] {
  if (layouts.length === 0) {
    return Object.keys(layout.values)
      .filter((key) => key === '__proto__' || isObjectPropertyName(key))
      .map((key) => ({
        field: `${path}.values.${key}`,
        value: layout.values[key],
        rule: 'is a built-in property name of JavaScript objects, so it cannot be a layout key',
      }));
  }
  const definition = layouts.find((candidate) => candidate.name === layout.name);
  if (definition === undefined) {
    const known = layouts.map((candidate) => `'${candidate.name}'`).join(', ');
    return [{ field: `${path}.name`, value: layout.name, rule: `is not a layout of the campaign; known layouts: ${known}` }];
  }
  const fields = new Map(definition.fields.map((field) => [field.key, field]));
  const violations: FieldViolation[] = [];
  for (const [key, value] of Object.entries(layout.values)) {
    const field = fields.get(key);
    const fieldPath = `${path}.values.${key}`;
    if (field === undefined) {
      violations.push({ field: fieldPath, value, rule: `is not a field of layout '${definition.name}'` });
    } else if (value !== null && !hasType(value, field.type)) {
      violations.push({ field: fieldPath, value, rule: typeRule(field.type) });
    }
  }
  return violations;
}

/**
 * Lists the placeholders of the template that a target's layout values leave without a value,
 * since the message could not be rendered for it. `phoneNumber` is always filled. Only own
 * properties of the values count, as in rendering, so `constructor` is missing unless given.
 */
export function missingValueViolations(
  placeholders: readonly string[],
  layout: { values: Record<string, unknown> } | undefined,
  templateId: string,
): FieldViolation[] {
  const values = layout?.values ?? {};
  return placeholders
    .filter((key) => !BUILT_IN_PLACEHOLDERS.includes(key))
    .filter((key) => !hasPlaceholderValue(values, key))
    .map((key) => ({
      field: layout === undefined ? 'layout' : `layout.values.${key}`,
      value: Object.hasOwn(values, key) ? (values[key] ?? null) : null,
      rule: `is required: template '${templateId}' uses {{${key}}}`,
    }));
}

/** Throws one 400 error listing every violation, or returns when there is none. */
export function assertNoViolations(code: string, violations: readonly FieldViolation[]): void {
  if (violations.length === 0) {
    return;
  }
  const message = violations
    .map((violation) =>
      violation.value === undefined || violation.value === null
        ? `${violation.field} ${violation.rule}`
        : `${violation.field} ${JSON.stringify(violation.value)} ${violation.rule}`,
    )
    .join('; ');
  throw new DomainError(code, 'INVALID', message, violations);
}

/** Returns the layout whose fields contain every key given, or the first layout when none does. */
export function layoutForKeys(layouts: readonly TargetLayout[], keys: readonly string[]): TargetLayout | undefined {
  return layouts.find((layout) => keys.every((key) => layout.fields.some((field) => field.key === key))) ?? layouts[0];
}

/**
 * Picks the layout of values that come without a layout name, such as the cells of an import row:
 * the first layout with a field for every filled (non-null) value. The result keeps the values of
 * that layout's fields only. An empty value of another key is left out, because a file with the
 * columns of several layouts, such as the targets export, leaves the other layouts' cells empty.
 * When no layout has every filled key, returns a violation naming the first filled key that the
 * layout with the most of them lacks. The campaign must have at least one layout.
 */
export function layoutOfValues<Value>(
  layouts: readonly TargetLayout[],
  values: Readonly<Record<string, Value | null>>,
): { layout: { name: string; values: Record<string, Value | null> } } | { violation: FieldViolation } {
  const filled = Object.keys(values).filter((key) => values[key] !== null);
  const fieldCount = (layout: TargetLayout) => filled.filter((key) => layout.fields.some((field) => field.key === key)).length;
  let best = layouts[0];
  for (const layout of layouts) {
    if (fieldCount(layout) > fieldCount(best)) best = layout;
  }

  const unknown = filled.find((key) => !best.fields.some((field) => field.key === key));
  if (unknown !== undefined) {
    const rule = `is not a field of layout '${best.name}', and no layout of the campaign has a field for each filled value (${filled.join(', ')})`;
    return { violation: { field: `layout.values.${unknown}`, value: values[unknown], rule } };
  }
  const layoutValues: Record<string, Value | null> = {};
  for (const field of best.fields) {
    if (Object.hasOwn(values, field.key)) layoutValues[field.key] = values[field.key];
  }
  return { layout: { name: best.name, values: layoutValues } };
}

function hasType(value: unknown, type: LayoutFieldType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'date':
      return typeof value === 'string' && ISO_DATE.test(value) && !Number.isNaN(Date.parse(value));
  }
}

function typeRule(type: LayoutFieldType): string {
  switch (type) {
    case 'string':
      return 'must be a string';
    case 'number':
      return 'must be a finite number';
    case 'date':
      return 'must be an ISO-8601 date such as 2026-12-07 or 2026-12-07T09:00:00Z';
  }
}
