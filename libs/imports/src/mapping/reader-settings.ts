import { isCountryCode } from '@sms/domain';
import { checkDateFormat } from './date-time-parser';
import { canonicalTimeZone } from './field-parsers';
import { ImportFormatError } from './import-format-error';
import { LayoutFieldType, TargetRowOptions } from './target-row';

/** TargetRowOptions checked once, with defaults applied and names canonical. */
export interface ReaderSettings {
  readonly defaultCountry: string;
  readonly insertIfDuplicate: boolean;
  /** Canonical IANA name. */
  readonly timeZone: string;
  /** undefined selects ISO-8601. */
  readonly dateFormat: string | undefined;
  /** Trimmed source column → trimmed target field or layout key. */
  readonly mapping: ReadonlyMap<string, string>;
  readonly layoutTypes: ReadonlyMap<string, LayoutFieldType>;
}

export const DEFAULT_COUNTRY = 'FR';

const LAYOUT_FIELD_TYPES: ReadonlySet<string> = new Set<LayoutFieldType>(['string', 'number', 'date']);

/**
 * Checks the options and applies their defaults. Options usually come from query parameters,
 * so each value is checked at run time even where its type already rules it out.
 *
 * @throws ImportFormatError with code IMPORT.INVALID_OPTION naming the option and the rule.
 */
export function resolveReaderSettings(options: TargetRowOptions): ReaderSettings {
  return {
    defaultCountry: resolveCountry(options.defaultCountry),
    insertIfDuplicate: options.insertIfDuplicate ?? false,
    timeZone: resolveTimeZone(options.timeZone),
    dateFormat: resolveDateFormat(options.dateFormat),
    mapping: resolveMapping(options.mapping ?? {}),
    layoutTypes: resolveLayoutTypes(options),
  };
}

function resolveCountry(value: string | undefined): string {
  const country = (value ?? DEFAULT_COUNTRY).trim().toUpperCase();
  if (!isCountryCode(country)) {
    throw ImportFormatError.invalidOption('defaultCountry', value, 'is not an ISO 3166-1 alpha-2 country code known to libphonenumber');
  }
  return country;
}

function resolveTimeZone(value: string): string {
  const timeZone = typeof value === 'string' ? canonicalTimeZone(value.trim()) : null;
  if (timeZone === null) {
    throw ImportFormatError.invalidOption('timeZone', value, 'is not an IANA time zone such as Europe/Paris');
  }
  return timeZone;
}

/** Returns undefined (ISO-8601) for a missing or empty pattern, because an empty query parameter is how clients leave it unset. */
function resolveDateFormat(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === '') {
    return undefined;
  }
  const rule = checkDateFormat(value);
  if (rule !== null) {
    throw ImportFormatError.invalidOption('dateFormat', value, rule);
  }
  return value;
}

function resolveMapping(mapping: Readonly<Record<string, string>>): ReadonlyMap<string, string> {
  const resolved = new Map<string, string>();
  for (const [column, name] of Object.entries(mapping)) {
    const target = typeof name === 'string' ? name.trim() : '';
    if (target === '') {
      throw ImportFormatError.invalidOption(`mapping.${column}`, name, 'must name a target field or a layout key');
    }
    resolved.set(column.trim(), target);
  }
  return resolved;
}

function resolveLayoutTypes(options: TargetRowOptions): ReadonlyMap<string, LayoutFieldType> {
  const types = new Map<string, LayoutFieldType>();
  for (const field of options.layoutFields ?? []) {
    if (!LAYOUT_FIELD_TYPES.has(field.type)) {
      throw ImportFormatError.invalidOption(`layoutFields.${field.key}.type`, field.type, 'must be string, number or date');
    }
    types.set(field.key, field.type);
  }
  return types;
}
