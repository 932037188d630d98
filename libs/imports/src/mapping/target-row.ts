/** Target fields a source column can fill; any other column becomes a layout value. */
export const TARGET_FIELDS = ['phoneNumber', 'startDate', 'priority', 'insertIfDuplicate', 'timeZone'] as const;
export type TargetField = (typeof TARGET_FIELDS)[number];

/** Columns of the downloadable import template, in order; the layout columns follow them. */
export const TEMPLATE_COLUMNS = ['phoneNumber', 'startDate', 'priority', 'insertIfDuplicate'] as const;

export type LayoutFieldType = 'string' | 'number' | 'date';

/** A target layout field declared on the campaign. */
export interface LayoutField {
  readonly key: string;
  readonly type: LayoutFieldType;
}

export type LayoutValue = string | number | null;

export interface TargetRowOptions {
  /** ISO 3166-1 alpha-2 country in which national numbers are read; default 'FR'. */
  readonly defaultCountry?: string;
  /** Value for rows whose insertIfDuplicate cell is empty or missing; default false. */
  readonly insertIfDuplicate?: boolean;
  /** Source column → target field (`phoneNumber`, `startDate`, ...) or layout key. Unlisted columns keep their name. */
  readonly mapping?: Readonly<Record<string, string>>;
  /** date-fns `parse` pattern for text startDate and date layout values, such as 'dd/MM/yyyy HH:mm'; default ISO-8601. */
  readonly dateFormat?: string;
  /** IANA time zone in which date-times without an offset are read, unless the row has its own timeZone. */
  readonly timeZone: string;
  /** Declared layout fields; only those typed `number` or `date` are converted, every other value stays a string. */
  readonly layoutFields?: readonly LayoutField[];
}

/** A data row that passed validation, ready to become a TargetAdded event. */
export interface TargetRow {
  readonly kind: 'target';
  /** Position of the record in its source, counted from 1; SourceRecord.line lists what it counts per source. */
  readonly line: number;
  /** E.164. */
  readonly phoneNumber: string;
  /** ISO-8601 instant in UTC; null means as soon as the campaign runs. */
  readonly startDate: string | null;
  /** 1 (lowest) to 10 (highest). */
  readonly priority: number;
  readonly insertIfDuplicate: boolean;
  /** IANA time zone from the row's timeZone column; null when the column is missing or empty. */
  readonly timeZone: string | null;
  /** Keyed by layout key; an empty cell is null. */
  readonly layoutValues: Readonly<Record<string, LayoutValue>>;
}

/** A data row that failed validation. Its shape matches the import's `errors` entries plus `kind`. */
export interface RowRejection {
  readonly kind: 'rejected';
  /** Position of the record in its source, counted from 1; SourceRecord.line lists what it counts per source. */
  readonly line: number;
  /** The offending raw value, cut to at most 100 characters. */
  readonly value: string;
  /** Sentence naming the field and the rule it breaks. */
  readonly reason: string;
}

export type TargetRowResult = TargetRow | RowRejection;

export function isRowRejection(result: TargetRowResult): result is RowRejection {
  return result.kind === 'rejected';
}
