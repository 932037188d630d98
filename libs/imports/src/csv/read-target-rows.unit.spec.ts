import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImportFormatError } from '../mapping/import-format-error';
import { readTargetRowBatches, readTargetRows } from './read-target-rows';
import { RowRejection, TargetRow, TargetRowOptions, TargetRowResult } from '../mapping/target-row';

const FIXTURES = join(__dirname, '../../../../test/fixtures');
const SAMPLE_FILE = join(FIXTURES, 'targets-sample.csv');
const CRM_FILE = join(FIXTURES, 'targets-crm-export-fr.csv');

const PARIS: TargetRowOptions = { timeZone: 'Europe/Paris' };

const CRM_OPTIONS: TargetRowOptions = {
  timeZone: 'Europe/Paris',
  dateFormat: 'dd/MM/yyyy HH:mm',
  mapping: { telephone: 'phoneNumber', date_debut: 'startDate', priorite: 'priority' },
  layoutFields: [{ key: 'montant_du', type: 'number' }],
};

async function* streamOf(parts: Iterable<Buffer | string>): AsyncGenerator<Buffer | string> {
  yield* parts;
}

async function readAll(
  input: AsyncIterable<Buffer | string> | NodeJS.ReadableStream,
  options: TargetRowOptions,
): Promise<TargetRowResult[]> {
  const results: TargetRowResult[] = [];
  for await (const result of readTargetRows(input, options)) {
    results.push(result);
  }
  return results;
}

function readText(csv: string, options: TargetRowOptions = PARIS): Promise<TargetRowResult[]> {
  return readAll(streamOf([csv]), options);
}

function accepted(results: readonly TargetRowResult[]): TargetRow[] {
  return results.filter((result): result is TargetRow => result.kind === 'target');
}

function rejected(results: readonly TargetRowResult[]): RowRejection[] {
  return results.filter((result): result is RowRejection => result.kind === 'rejected');
}

async function readOne(csv: string, options: TargetRowOptions = PARIS): Promise<TargetRowResult> {
  const results = await readText(csv, options);
  expect(results).toHaveLength(1);
  return results[0];
}

async function readError(input: string | AsyncIterable<Buffer | string>, options: TargetRowOptions = PARIS): Promise<ImportFormatError> {
  const source = typeof input === 'string' ? streamOf([input]) : input;
  const error = await readAll(source, options).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ImportFormatError);
  return error as ImportFormatError;
}

/** Splits `bytes` at the given offsets, in order. */
function splitAt(bytes: Buffer, offsets: readonly number[]): Buffer[] {
  const parts: Buffer[] = [];
  let start = 0;
  for (const offset of offsets) {
    parts.push(bytes.subarray(start, offset));
    start = offset;
  }
  parts.push(bytes.subarray(start));
  return parts;
}

/** Offsets from a fixed-seed linear congruential generator, so that a failure can be replayed. */
function pseudoRandomOffsets(length: number, count: number, seed: number): number[] {
  const offsets = new Set<number>();
  let state = seed;
  while (offsets.size < count) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    offsets.add(1 + (state % (length - 1)));
  }
  return [...offsets].sort((a, b) => a - b);
}

describe('readTargetRows - template sample file', () => {
  let results: TargetRowResult[];

  beforeAll(async () => {
    results = await readAll(createReadStream(SAMPLE_FILE), PARIS);
  });

  it('yields one result per data row', () => {
    expect(results).toHaveLength(10_000);
    expect(results[0].line).toBe(2);
    expect(results[results.length - 1].line).toBe(10_001);
  });

  it('rejects exactly ten rows with their line and rule', () => {
    expect(rejected(results)).toEqual([
      { kind: 'rejected', line: 15, value: '06 39', reason: "phoneNumber '06 39' is not a valid number for FR" },
      {
        kind: 'rejected',
        line: 1012,
        value: 'abc',
        reason: "phoneNumber 'abc' may contain only digits, spaces, dots, dashes, parentheses and a leading +",
      },
      {
        kind: 'rejected',
        line: 2009,
        value: '+33 1 44 00 12 34',
        reason: "phoneNumber '+33 1 44 00 12 34' is a fixed line number, which cannot receive SMS",
      },
      { kind: 'rejected', line: 3006, value: '', reason: 'phoneNumber is required' },
      { kind: 'rejected', line: 4003, value: '0600010000000', reason: "phoneNumber '0600010000000' is not a valid number for FR" },
      { kind: 'rejected', line: 5997, value: '06 39', reason: "phoneNumber '06 39' is not a valid number for FR" },
      {
        kind: 'rejected',
        line: 6994,
        value: 'abc',
        reason: "phoneNumber 'abc' may contain only digits, spaces, dots, dashes, parentheses and a leading +",
      },
      {
        kind: 'rejected',
        line: 7991,
        value: '+33 1 44 00 12 34',
        reason: "phoneNumber '+33 1 44 00 12 34' is a fixed line number, which cannot receive SMS",
      },
      { kind: 'rejected', line: 8988, value: '', reason: 'phoneNumber is required' },
      { kind: 'rejected', line: 9985, value: '0600010000000', reason: "phoneNumber '0600010000000' is not a valid number for FR" },
    ]);
  });

  it('leaves duplicate numbers for the importer to detect', () => {
    const rows = accepted(results);
    const distinct = new Set(rows.map((row) => row.phoneNumber));

    expect(rows).toHaveLength(9_990);
    expect(distinct.size).toBe(9_890);
    expect(rows.length - distinct.size).toBe(100);
  });

  it('reads a trunk zero after the country code', () => {
    expect(results.find((result) => result.line === 5000)).toMatchObject({ kind: 'target', phoneNumber: '+33600011234' });
  });

  it('reads the first row in full', () => {
    expect(results[0]).toEqual({
      kind: 'target',
      line: 2,
      phoneNumber: '+33600010000',
      startDate: '2026-12-07T07:00:00.000Z',
      priority: 1,
      insertIfDuplicate: false,
      timeZone: null,
      layoutValues: { firstName: 'Camille', amount: '10.50' },
    });
  });

  it('unquotes a quoted layout value', () => {
    expect(results.find((result) => result.line === 17)).toMatchObject({ layoutValues: { firstName: "O'Neil", amount: '25.50' } });
  });
});

describe('readTargetRows - French CRM export', () => {
  let results: TargetRowResult[];

  beforeAll(async () => {
    results = await readAll(createReadStream(CRM_FILE), CRM_OPTIONS);
  });

  it('accepts all 500 rows', () => {
    expect(results).toHaveLength(500);
    expect(rejected(results)).toEqual([]);
    expect(results[results.length - 1].line).toBe(501);
  });

  it('reads the first row through the mapping', () => {
    expect(results[0]).toEqual({
      kind: 'target',
      line: 2,
      phoneNumber: '+33600025000',
      startDate: '2026-12-07T08:00:00.000Z',
      priority: 1,
      insertIfDuplicate: false,
      timeZone: null,
      layoutValues: { prenom: 'Camille', montant_du: 40 },
    });
  });

  it('decodes UTF-8 layout values', () => {
    expect(results[1]).toMatchObject({ layoutValues: { prenom: 'Léa', montant_du: 41.1 } });
  });

  it('keeps an undeclared decimal-comma value as a string', async () => {
    const undeclared = await readAll(createReadStream(CRM_FILE), { ...CRM_OPTIONS, layoutFields: [] });

    expect(undeclared[0]).toMatchObject({ layoutValues: { prenom: 'Camille', montant_du: '40,0' } });
  });

  it('rejects every row without the mapping', async () => {
    const error = await readError(createReadStream(CRM_FILE), { timeZone: 'Europe/Paris' });

    expect(error.code).toBe('IMPORT.MISSING_COLUMN');
    expect(error.context.columnsFound).toEqual(['telephone', 'date_debut', 'priorite', 'prenom', 'montant_du']);
  });
});

describe('readTargetRows - delimiters and line endings', () => {
  const expected = { phoneNumber: '+33612345678', startDate: '2026-12-07T08:00:00.000Z', priority: 3, layoutValues: { firstName: 'Ana' } };

  it.each([
    ['comma', 'phoneNumber,startDate,priority,firstName\n0612345678,2026-12-07T09:00,3,Ana\n'],
    ['semicolon', 'phoneNumber;startDate;priority;firstName\n0612345678;2026-12-07T09:00;3;Ana\n'],
    ['tab', 'phoneNumber\tstartDate\tpriority\tfirstName\n0612345678\t2026-12-07T09:00\t3\tAna\n'],
    ['CRLF', 'phoneNumber,startDate,priority,firstName\r\n0612345678,2026-12-07T09:00,3,Ana\r\n'],
    ['CR-only', 'phoneNumber,startDate,priority,firstName\r0612345678,2026-12-07T09:00,3,Ana\r'],
    ['CR-only semicolon', 'phoneNumber;startDate;priority;firstName\r0612345678;2026-12-07T09:00;3;Ana\r'],
    ['no final line break', 'phoneNumber,startDate,priority,firstName\n0612345678,2026-12-07T09:00,3,Ana'],
    ['byte order mark', '\uFEFFphoneNumber,startDate,priority,firstName\n0612345678,2026-12-07T09:00,3,Ana\n'],
  ])('reads a %s file', async (_name, csv) => {
    expect(await readOne(csv)).toMatchObject({ kind: 'target', line: 2, ...expected });
  });

  it('picks the delimiter the header uses most', async () => {
    const row = await readOne('phoneNumber;firstName;note\n0612345678;Ana;a,b\n');

    expect(row).toMatchObject({ kind: 'target', layoutValues: { firstName: 'Ana', note: 'a,b' } });
  });

  it('reads a single-column file', async () => {
    expect(await readOne('phoneNumber\n0612345678\n')).toMatchObject({ kind: 'target', phoneNumber: '+33612345678' });
  });

  it('accepts LF rows in a CRLF file', async () => {
    const results = await readText('phoneNumber,firstName\r\n0612345678,Ana\n0612345679,Bo\r\n');

    expect(results.map((result) => result.line)).toEqual([2, 3]);
    expect(accepted(results).map((row) => row.layoutValues.firstName)).toEqual(['Ana', 'Bo']);
  });

  it('numbers the rows of a CR-only file', async () => {
    const results = await readText('phoneNumber,firstName\r0620000042,Zoé\r0620000043,"a\rb"\r0620000044,Bo\r');

    expect(results.map((result) => result.line)).toEqual([2, 3, 5]);
    expect(accepted(results).map((row) => row.layoutValues.firstName)).toEqual(['Zoé', 'a\rb', 'Bo']);
  });

  it('reads a CR-only file split between CR and LF chunks', async () => {
    const results = await readAll(streamOf(['phoneNumber,firstName\r', '\n0620000042,Zoé\r', '0620000043,Bo\r']), PARIS);

    expect(results.map((result) => result.line)).toEqual([2, 3]);
    expect(accepted(results).map((row) => row.layoutValues.firstName)).toEqual(['Zoé', 'Bo']);
  });
});

describe('readTargetRows - quoted fields and line numbers', () => {
  it('keeps delimiters and doubled quotes inside quotes', async () => {
    const row = await readOne('phoneNumber,note\n0612345678,"a, ""quoted"" note"\n');

    expect(row).toMatchObject({ kind: 'target', layoutValues: { note: 'a, "quoted" note' } });
  });

  it('numbers rows after a multi-line field', async () => {
    const csv = [
      'phoneNumber,note',
      '0612345601,"first line',
      'second line',
      'third line"',
      '06 39,one line',
      '0612345603,"x\r\ny"',
      '0612345604,last',
    ].join('\n');

    const results = await readText(csv);

    expect(results.map((result) => [result.kind, result.line])).toEqual([
      ['target', 2],
      ['rejected', 5],
      ['target', 6],
      ['target', 8],
    ]);
    expect(results[0]).toMatchObject({ layoutValues: { note: 'first line\nsecond line\nthird line' } });
  });

  it('skips blank rows but counts their lines', async () => {
    const results = await readText('\nphoneNumber,firstName\n\n0612345678,Ana\n,\n   \n06 39,Bo\n\n');

    expect(results.map((result) => [result.kind, result.line])).toEqual([
      ['target', 4],
      ['rejected', 7],
    ]);
  });

  it('keeps a stray quote inside an unquoted field', async () => {
    const row = await readOne('phoneNumber,lastName\n0612345678,O"Neil\n');

    expect(row).toMatchObject({ kind: 'target', layoutValues: { lastName: 'O"Neil' } });
  });

  it('rejects a row with the wrong number of columns', async () => {
    const results = await readText('phoneNumber,firstName\n0612345678,Ana,extra\n0612345679\n0612345670,Bo\n');

    expect(results).toEqual([
      { kind: 'rejected', line: 2, value: '0612345678,Ana,extra', reason: 'the row has 3 fields but the header has 2 columns' },
      { kind: 'rejected', line: 3, value: '0612345679', reason: 'the row has 1 field but the header has 2 columns' },
      expect.objectContaining({ kind: 'target', line: 4 }),
    ]);
  });

  it('rejects a row holding a NUL character', async () => {
    const results = await readText('phoneNumber,firstName\n0612345678,A\u0000B\n0612345679,Bo\n');

    expect(results).toEqual([
      { kind: 'rejected', line: 2, value: 'A\\0B', reason: "firstName 'A\\0B' contains a NUL character (U+0000), which is not accepted" },
      expect.objectContaining({ kind: 'target', line: 3 }),
    ]);
  });

  it('fails on a header holding a NUL character', async () => {
    await expect(readText('tel\u0000x,firstName\n0612345678,A\n')).rejects.toMatchObject({ code: 'IMPORT.INVALID_COLUMN' });
  });
});

describe('readTargetRows - chunk boundaries', () => {
  it('parses a randomly split CRM export identically', async () => {
    const bytes = readFileSync(CRM_FILE);
    const whole = await readAll(streamOf([bytes]), CRM_OPTIONS);

    // Offsets 1 and 2 fall inside the byte order mark; the third inside the two bytes of 'é'.
    const fixedOffsets = [1, 2, bytes.indexOf(Buffer.from('é', 'utf8')) + 1];
    for (const seed of [1, 2, 3]) {
      const offsets = new Set([...fixedOffsets, ...pseudoRandomOffsets(bytes.length, 200, seed)]);
      const parts = splitAt(
        bytes,
        [...offsets].sort((a, b) => a - b),
      );
      expect(await readAll(streamOf(parts), CRM_OPTIONS)).toEqual(whole);
    }
  });

  it('parses every two-way split identically', async () => {
    const bytes = Buffer.from('\uFEFFphoneNumber;prénom;note\r\n06 12 34 56 78;Léa;"a;\r\nb"\r\n0612345679;Chloé;€\r\n', 'utf8');
    const whole = await readAll(streamOf([bytes]), PARIS);
    expect(accepted(whole)).toHaveLength(2);

    for (let offset = 1; offset < bytes.length; offset++) {
      expect(await readAll(streamOf(splitAt(bytes, [offset])), PARIS)).toEqual(whole);
    }
  });

  it('parses one-byte chunks identically', async () => {
    const bytes = Buffer.from('\uFEFFphoneNumber;prénom\r\n0612345678;Léa\r\n0612345679;"Chlo\né"\r\n', 'utf8');
    const whole = await readAll(streamOf([bytes]), PARIS);
    const offsets = Array.from({ length: bytes.length - 1 }, (_, index) => index + 1);

    expect(await readAll(streamOf(splitAt(bytes, offsets)), PARIS)).toEqual(whole);
    expect(whole.map((result) => result.line)).toEqual([2, 3]);
  });

  it('reads string chunks', async () => {
    const results = await readAll(streamOf(['phoneNumber,first', 'Name\n0612345678,Lé', 'a\n']), PARIS);

    expect(results).toEqual([expect.objectContaining({ kind: 'target', layoutValues: { firstName: 'Léa' } })]);
  });

  it('yields a large single chunk in bounded batches', async () => {
    const rows = Array.from({ length: 20_000 }, (_, index) => `06${String(index).padStart(8, '0')}`);
    const csv = Buffer.from(`phoneNumber\n${rows.join('\n')}\n`);

    const sizes: number[] = [];
    for await (const batch of readTargetRowBatches(streamOf([csv]), PARIS)) {
      sizes.push(batch.length);
    }

    expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(20_000);
    expect(Math.max(...sizes)).toBeLessThan(10_000);
  });

  it('closes the input when the caller stops early', async () => {
    let closed = false;
    async function* endless(): AsyncGenerator<string> {
      try {
        yield 'phoneNumber\n';
        for (;;) {
          yield '0612345678\n';
        }
      } finally {
        closed = true;
      }
    }

    for await (const result of readTargetRows(endless(), PARIS)) {
      expect(result.kind).toBe('target');
      break;
    }

    expect(closed).toBe(true);
  });
});

describe('readTargetRows - file errors', () => {
  it('names the missing phone column and the columns found', async () => {
    const error = await readError('telephone,startDate, prenom \n0612345678,,Ana\n');

    expect(error.code).toBe('IMPORT.MISSING_COLUMN');
    expect(error.kind).toBe('INVALID');
    expect(error.context).toEqual({ field: 'phoneNumber', columnsFound: ['telephone', 'startDate', 'prenom'] });
    expect(error.message).toBe(
      'the header has no phoneNumber column (columns found: telephone, startDate, prenom); name the column phoneNumber or map it with the mapping option',
    );
  });

  it('fails on the header before any row', async () => {
    const rows = readTargetRowBatches(streamOf(['firstName\n', 'Ana\n']), PARIS);

    await expect(rows.next()).rejects.toMatchObject({ code: 'IMPORT.MISSING_COLUMN' });
  });

  it.each([
    ['no bytes', ''],
    ['only blank lines', '\r\n\n  \n'],
  ])('rejects a file with %s as empty', async (_name, csv) => {
    expect((await readError(csv)).code).toBe('IMPORT.EMPTY_FILE');
  });

  it('reads a header without data rows as no rows', async () => {
    expect(await readText('phoneNumber,startDate\n')).toEqual([]);
  });

  it('rejects two columns that fill the same field', async () => {
    const error = await readError('phoneNumber,telephone\n0612345678,0612345679\n', { ...PARIS, mapping: { telephone: 'phoneNumber' } });

    expect(error.code).toBe('IMPORT.DUPLICATE_COLUMN');
    expect(error.message).toContain("the header has columns 'phoneNumber' and 'telephone' that both fill 'phoneNumber'");
  });

  it('names the line of a quote that is never closed', async () => {
    const error = await readError('phoneNumber,note\n0612345678,ok\n0612345679,"open\nnever closed\n');

    expect(error.code).toBe('IMPORT.UNCLOSED_QUOTE');
    expect(error.context.line).toBe(3);
  });

  it.each([
    [{ timeZone: 'Mars/Olympus' }, "option timeZone 'Mars/Olympus' is not an IANA time zone such as Europe/Paris"],
    [
      { timeZone: 'Europe/Paris', defaultCountry: 'XX' },
      "option defaultCountry 'XX' is not an ISO 3166-1 alpha-2 country code known to libphonenumber",
    ],
    [
      { timeZone: 'Europe/Paris', dateFormat: 'dd/MM/yyyy hh:mm foo' },
      expect.stringContaining("option dateFormat 'dd/MM/yyyy hh:mm foo' is not a valid date-fns pattern"),
    ],
    [{ timeZone: 'Europe/Paris', mapping: { telephone: ' ' } }, "option mapping.telephone ' ' must name a target field or a layout key"],
  ])('rejects invalid options %p', async (options, message) => {
    const error = await readError('phoneNumber\n0612345678\n', options);

    expect(error.code).toBe('IMPORT.INVALID_OPTION');
    expect(error.message).toEqual(message);
  });
});

describe('readTargetRows - mapping mistakes', () => {
  it('names the mapping when no column becomes phoneNumber', async () => {
    const error = await readError('tel,prenom\n0612345678,Chloé\n', { ...PARIS, mapping: { tel: 'phoneNumbr' } });

    expect(error.code).toBe('IMPORT.MISSING_COLUMN');
    expect(error.message).toContain('the header after the mapping {"tel":"phoneNumbr"} has no phoneNumber column');
  });
});

describe('readTargetRows - text encoding', () => {
  it('rejects a file saved as Windows-1252 with the byte and its line', async () => {
    const windows1252 = Buffer.from('phoneNumber;prenom\r\n0612345678;Chlo\xe9\r\n', 'latin1');

    const error = await readError(streamOf([windows1252]));

    expect(error.code).toBe('IMPORT.NOT_UTF8');
    expect(error.message).toContain('0xE9 at byte 36 (line 2)');
    expect(error.context.line).toBe(2);
  });

  it('locates an encoded surrogate at its first byte', async () => {
    const bytes = Buffer.concat([Buffer.from('phoneNumber,firstName\n0612345678,'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('\n')]);

    const error = await readError(streamOf([bytes]));

    expect(error.code).toBe('IMPORT.NOT_UTF8');
    expect(error.message).toContain('0xED at byte 34 (line 2)');
    expect(error.context.line).toBe(2);
  });

  it('counts CR-only lines in the location of a bad byte', async () => {
    const bytes = Buffer.from('phoneNumber\r0612345678\r\n0612345679;Chlo\xe9\r', 'latin1');

    const error = await readError(streamOf([bytes]));

    expect(error.message).toContain('0xE9 at byte 40 (line 3)');
  });

  it('reads a UTF-8 character split between two chunks', async () => {
    const bytes = Buffer.from('phoneNumber,firstName\n0612345678,Chloé\n', 'utf8');
    const split = bytes.indexOf(0xc3) + 1;

    const results = await readAll(streamOf([bytes.subarray(0, split), bytes.subarray(split)]), PARIS);

    expect(accepted(results)[0].layoutValues).toEqual({ firstName: 'Chloé' });
  });

  it('rejects a file that ends inside a character', async () => {
    const cut = Buffer.from('phoneNumber,firstName\n0612345678,Chlo\xc3', 'latin1');

    expect((await readError(streamOf([cut]))).code).toBe('IMPORT.NOT_UTF8');
  });
});

describe('readTargetRows - row rules', () => {
  it.each([
    ['', null],
    ['2026-12-07T09:00', '2026-12-07T08:00:00.000Z'],
    ['2026-07-07T09:00', '2026-07-07T07:00:00.000Z'],
    ['2026-12-07 09:00:30', '2026-12-07T08:00:30.000Z'],
    ['2026-12-07', '2026-12-06T23:00:00.000Z'],
    ['2026-12-07T09:00Z', '2026-12-07T09:00:00.000Z'],
    ['2026-12-07T09:00:00.250-05:00', '2026-12-07T14:00:00.250Z'],
  ])('reads startDate %p as %p', async (startDate, expected) => {
    expect(await readOne(`phoneNumber,startDate\n0612345678,${startDate}\n`)).toMatchObject({ kind: 'target', startDate: expected });
  });

  it('reads a local startDate in the row time zone', async () => {
    const row = await readOne('phoneNumber,startDate,timeZone\n0612345678,2026-12-07T09:00,america/new_york\n');

    expect(row).toMatchObject({ kind: 'target', startDate: '2026-12-07T14:00:00.000Z', timeZone: 'America/New_York' });
  });

  it('names value and format of a bad startDate', async () => {
    expect(await readOne('phoneNumber,startDate\n0612345678,07/12/2026\n')).toEqual({
      kind: 'rejected',
      line: 2,
      value: '07/12/2026',
      reason:
        "startDate '07/12/2026' is not a valid ISO-8601 date-time (expected a form such as 2026-12-07T09:00 or 2026-12-07T09:00:00+01:00)",
    });
  });

  it('names the date format in a rejection', async () => {
    const row = await readOne('phoneNumber;startDate\n0612345678;2026-12-07T09:00\n', { ...PARIS, dateFormat: 'dd/MM/yyyy HH:mm' });

    expect(row).toMatchObject({ reason: "startDate '2026-12-07T09:00' is not a valid date-time in the format dd/MM/yyyy HH:mm" });
  });

  it.each([
    ['', 5],
    ['1', 1],
    [' 10 ', 10],
  ])('reads priority %p as %p', async (priority, expected) => {
    expect(await readOne(`phoneNumber,priority\n0612345678,${priority}\n`)).toMatchObject({ kind: 'target', priority: expected });
  });

  it.each(['0', '11', '2.5', 'high'])('rejects priority %p', async (priority) => {
    expect(await readOne(`phoneNumber,priority\n0612345678,${priority}\n`)).toMatchObject({
      kind: 'rejected',
      value: priority,
      reason: `priority '${priority}' must be an integer from 1 to 10`,
    });
  });

  it.each([
    ['true', false, true],
    ['false', true, false],
    ['', false, false],
    ['', true, true],
  ])('reads insertIfDuplicate %p with default %p as %p', async (cell, whenEmpty, expected) => {
    const row = await readOne(`phoneNumber,insertIfDuplicate\n0612345678,${cell}\n`, { ...PARIS, insertIfDuplicate: whenEmpty });

    expect(row).toMatchObject({ kind: 'target', insertIfDuplicate: expected });
  });

  it('applies the default insertIfDuplicate without the column', async () => {
    expect(await readOne('phoneNumber\n0612345678\n', { ...PARIS, insertIfDuplicate: true })).toMatchObject({ insertIfDuplicate: true });
  });

  it.each(['maybe', 'yes', '1', 'TRUE'])('rejects insertIfDuplicate %p as the query parameter does', async (cell) => {
    expect(await readOne(`phoneNumber,insertIfDuplicate\n0612345678,${cell}\n`)).toMatchObject({
      kind: 'rejected',
      line: 2,
      value: cell,
      reason: `insertIfDuplicate '${cell}' must be true or false (in lower case), or empty`,
    });
  });

  it('rejects an unknown time zone', async () => {
    expect(await readOne('phoneNumber,timeZone\n0612345678,Mars/Olympus\n')).toMatchObject({
      kind: 'rejected',
      value: 'Mars/Olympus',
      reason: "timeZone 'Mars/Olympus' is not an IANA time zone such as Europe/Paris",
    });
  });

  it('reads national numbers in the default country', async () => {
    expect(await readOne('phoneNumber\n07400 123456\n', { ...PARIS, defaultCountry: 'GB' })).toMatchObject({
      phoneNumber: '+447400123456',
    });
  });

  it('reports the first invalid field of a row', async () => {
    expect(await readOne('phoneNumber,startDate,priority\n06 39,tomorrow,99\n')).toMatchObject({
      reason: expect.stringMatching(/^phoneNumber /),
    });
    expect(await readOne('phoneNumber,startDate,priority\n0612345678,tomorrow,99\n')).toMatchObject({
      reason: expect.stringMatching(/^startDate /),
    });
  });

  it('cuts a long rejected value to 100 characters', async () => {
    const long = '0'.repeat(300);

    const row = await readOne(`phoneNumber\n${long}\n`);

    expect(row).toMatchObject({ kind: 'rejected', value: `${'0'.repeat(99)}…` });
    expect(row.kind === 'rejected' && row.reason).toBe(`phoneNumber '${'0'.repeat(99)}…' is not a valid number in its country`);
  });
});

describe('readTargetRows - layout values', () => {
  const layoutFields = [
    { key: 'amount', type: 'number' },
    { key: 'dueDate', type: 'date' },
    { key: 'note', type: 'string' },
  ] as const;

  it('converts declared number and date fields', async () => {
    const row = await readOne('phoneNumber,amount,dueDate,note,extra\n0612345678,-12.5,2026-12-31T18:00,  hi  ,42\n', {
      ...PARIS,
      layoutFields,
    });

    expect(row).toMatchObject({
      kind: 'target',
      layoutValues: { amount: -12.5, dueDate: '2026-12-31T18:00', note: 'hi', extra: '42' },
    });
  });

  it.each([
    ['dd/MM/yyyy', '31/12/2026', '2026-12-31'],
    ['dd/MM/yyyy HH:mm', '31/12/2026 09:30', '2026-12-31T09:30:00'],
    ["yyyy-MM-dd'T'HH:mmXXX", '2026-12-31T09:30+01:00', '2026-12-31T08:30:00.000Z'],
  ])('reads a date field with dateFormat %p', async (dateFormat, cell, expected) => {
    const row = await readOne(`phoneNumber;dueDate\n0612345678;${cell}\n`, { ...PARIS, layoutFields, dateFormat });

    expect(row).toMatchObject({ kind: 'target', layoutValues: { dueDate: expected } });
  });

  it('rejects a date field that does not match dateFormat', async () => {
    const row = await readOne('phoneNumber;dueDate\n0612345678;2026-12-31\n', { ...PARIS, layoutFields, dateFormat: 'dd/MM/yyyy' });

    expect(row).toMatchObject({
      kind: 'rejected',
      line: 2,
      value: '2026-12-31',
      reason: "dueDate '2026-12-31' is not a valid date in the format dd/MM/yyyy",
    });
  });

  it('reads empty layout cells as null', async () => {
    const row = await readOne('phoneNumber,amount,dueDate,note\n0612345678,,,\n', { ...PARIS, layoutFields });

    expect(row).toMatchObject({ kind: 'target', layoutValues: { amount: null, dueDate: null, note: null } });
  });

  it('reads a decimal comma in a semicolon file', async () => {
    const row = await readOne('phoneNumber;amount\n0612345678;1234,56\n', { ...PARIS, layoutFields });

    expect(row).toMatchObject({ kind: 'target', layoutValues: { amount: 1234.56 } });
  });

  it('rejects a decimal comma in a comma file', async () => {
    const row = await readOne('phoneNumber,amount\n0612345678,"40,5"\n', { ...PARIS, layoutFields });

    expect(row).toMatchObject({
      kind: 'rejected',
      value: '40,5',
      reason: "amount '40,5' is not a number (expected digits with an optional '.' decimal separator)",
    });
  });

  it('renames a column to a layout key through the mapping', async () => {
    const row = await readOne('phoneNumber,montant\n0612345678,7\n', { ...PARIS, layoutFields, mapping: { montant: 'amount' } });

    expect(row).toMatchObject({ kind: 'target', layoutValues: { amount: 7 } });
  });

  it('ignores columns with an empty header', async () => {
    const row = await readOne('phoneNumber,note,\n0612345678,hi,\n');

    expect(row).toMatchObject({ kind: 'target', layoutValues: { note: 'hi' } });
  });
});
