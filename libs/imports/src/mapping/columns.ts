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
 * field or key, or when a layout key would overwrite an object prototype.
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
    assertNotFilledTwice(sourceByName, name, column);
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

function isTargetField(name: string): name is TargetField {
  return (TARGET_FIELDS as readonly string[]).includes(name);
}

function assertNotFilledTwice(sourceByName: ReadonlyMap<string, string>, name: string, column: string): void {
  const previous = sourceByName.get(name);
  if (previous === undefined) {
    return;
  }
  const message =
    previous === column
      ? `the header contains column '${column}' twice; rename one of them`
      : `columns '${previous}' and '${column}' both fill '${name}'; remove one of them or change the mapping`;
  throw new ImportFormatError('IMPORT.DUPLICATE_COLUMN', message, { field: name });
}

/** Layout values are plain objects, where the key __proto__ would replace the prototype instead of adding a value. */
function assertSafeLayoutKey(key: string, column: string): void {
  if (key === '__proto__') {
    throw new ImportFormatError(
      'IMPORT.INVALID_COLUMN',
      `column '${column}' cannot be a layout key named '__proto__'; rename it with the mapping option`,
      { field: key },
    );
  }
}
