import { isObjectPropertyName } from '@sms/domain';
import { stringify } from 'csv-stringify/sync';
import { ImportFormatError } from './import-format-error';
import { LayoutField, LayoutFieldType, TARGET_FIELDS, TargetField, TEMPLATE_COLUMNS } from './target-row';

/** A source column that fills a layout value. */
export interface LayoutColumn {
  readonly index: number;
  readonly key: string;
  readonly type: LayoutFieldType;
}

/** Where the column names come from, as error messages name it. */
export type ColumnOrigin = 'the header' | 'the query result' | 'the mapping';

/** Column positions of the target fields and layout values, resolved once from the header. */
export interface ColumnPlan {
  readonly columnCount: number;
  /** Column names as the source gives them, trimmed, by column index. */
  readonly columnNames: readonly string[];
  /** Column index per target field; -1 when the source has no such column. */
  readonly targetColumns: Readonly<Record<TargetField, number>>;
  readonly layoutColumns: readonly LayoutColumn[];
}

/**
 * Returns the header row of the import template: the target columns, then one column per layout
 * field, quoted where CSV needs it. The row has no line break at its end.
 */
export function importTemplateHeader(layoutFields: readonly LayoutField[] = []): string {
  const columns = [...TEMPLATE_COLUMNS, ...layoutFields.map((field) => field.key)];
  return stringify([columns], { eof: false });
}

/**
 * Resolves the column names of a source (a CSV header, the columns of a query result) into a
 * column plan. `mapping` renames the columns it lists. A name in
 * TARGET_FIELDS fills that field, and any other name is a layout key typed by `layoutTypes`
 * (string when not declared). Columns with an empty header are ignored, because spreadsheets
 * often export a trailing delimiter.
 *
 * @throws ImportFormatError when no column fills phoneNumber, when two columns fill the same
 * field or key, or when a layout key is a property name of every JavaScript object.
 */
export function planColumns(
  header: readonly string[],
  mapping: ReadonlyMap<string, string>,
  layoutTypes: ReadonlyMap<string, LayoutFieldType>,
  origin: ColumnOrigin = 'the header',
): ColumnPlan {
  const names = header.map((cell) => cell.trim());
  const withNul = names.find((name) => name.includes('\u0000'));
  if (withNul !== undefined) {
    throw new ImportFormatError(
      'IMPORT.INVALID_COLUMN',
      `the header column '${withNul.replaceAll('\u0000', '\\0')}' contains a NUL character (U+0000), which is not accepted`,
      { field: withNul.replaceAll('\u0000', '\\0') },
    );
  }
  const targetColumns: Record<TargetField, number> = {
    phoneNumber: -1,
    startDate: -1,
    priority: -1,
    insertIfDuplicate: -1,
    timeZone: -1,
  };
  const layoutColumns: LayoutColumn[] = [];
  const sourceByName = new Map<string, string>();

  names.forEach((column, index) => {
    if (column === '') {
      return;
    }
    const name = mapping.get(column) ?? column;
    assertNotFilledTwice(sourceByName, name, column, origin);
    sourceByName.set(name, column);

    if (isTargetField(name)) {
      targetColumns[name] = index;
    } else {
      assertSafeLayoutKey(name, column);
      layoutColumns.push({ index, key: name, type: layoutTypes.get(name) ?? 'string' });
    }
  });

  if (targetColumns.phoneNumber === -1) {
    // With a mapping, the likely cause is a mapping that names no column of the source, or misspells phoneNumber.
    const mapped = mapping.size === 0 ? origin : `${origin} after the mapping ${JSON.stringify(Object.fromEntries(mapping))}`;
    throw ImportFormatError.missingColumn('phoneNumber', names, mapped);
  }
  return { columnCount: header.length, columnNames: names, targetColumns, layoutColumns };
}

/**
 * Checks a mapping before any row is read. Each target field or layout key is named once, and no
 * name is a property name of every JavaScript object (`constructor`, `toString`). When
 * `layoutKeys` is given (the campaign has layouts), every name that is not a target field must be
 * a field of one of the layouts. Mapping keys and names are compared trimmed, as planColumns reads them.
 *
 * @throws ImportFormatError IMPORT.INVALID_MAPPING naming the mapping entry and the rule it breaks.
 */
export function checkMapping(mapping: Readonly<Record<string, string>>, layoutKeys?: ReadonlySet<string>): void {
  const columnByName = new Map<string, string>();
  for (const [rawColumn, rawName] of Object.entries(mapping)) {
    const column = rawColumn.trim();
    const name = rawName.trim();
    const previous = columnByName.get(name);
    if (previous !== undefined) {
      throw invalidMapping(column, name, `is also the target of column '${previous}', but one column at most may fill a field`);
    }
    columnByName.set(name, column);

    if (isTargetField(name)) {
      continue;
    }
    if (name === '__proto__' || isObjectPropertyName(name)) {
      throw invalidMapping(column, name, 'is a built-in property name of JavaScript objects, so it cannot be a layout key');
    }
    if (layoutKeys !== undefined && !layoutKeys.has(name)) {
      const known = [...TARGET_FIELDS, ...layoutKeys].join(', ');
      throw invalidMapping(column, name, `is neither a target field nor a field of a layout of the campaign; use one of ${known}`);
    }
  }
}

function invalidMapping(column: string, name: string, rule: string): ImportFormatError {
  return new ImportFormatError(
    'IMPORT.INVALID_MAPPING',
    `mapping ${JSON.stringify({ [column]: name })}: '${name}' ${rule}`,
    { field: `mapping.${column}` },
    { details: [{ field: `mapping.${column}`, value: name, rule }] },
  );
}

function isTargetField(name: string): name is TargetField {
  return (TARGET_FIELDS as readonly string[]).includes(name);
}

function assertNotFilledTwice(sourceByName: ReadonlyMap<string, string>, name: string, column: string, origin: ColumnOrigin): void {
  const previous = sourceByName.get(name);
  if (previous === undefined) {
    return;
  }
  const message =
    previous === column
      ? `${origin} contains column '${column}' twice, but column names must be unique; rename one of them`
      : `${origin} has columns '${previous}' and '${column}' that both fill '${name}', but one column at most may fill a field; ` +
        'remove one of them or change the mapping';
  throw new ImportFormatError('IMPORT.DUPLICATE_COLUMN', message, { field: name });
}

/**
 * Layout values are plain objects. The key __proto__ would replace the prototype instead of adding
 * a value, and a value under `constructor` or `toString` could not be distinguished from the built-in.
 */
function assertSafeLayoutKey(key: string, column: string): void {
  if (key === '__proto__' || isObjectPropertyName(key)) {
    throw new ImportFormatError(
      'IMPORT.INVALID_COLUMN',
      `column '${column}' cannot fill a layout key named '${key}', which is a built-in property name of JavaScript objects; ` +
        'rename it with the mapping option',
      { field: key },
    );
  }
}
