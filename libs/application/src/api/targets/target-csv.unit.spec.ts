import type { TargetLayout } from '@sms/domain';
import { readTargetRows, TargetRowResult } from '@sms/imports';
import { csvHeaderLine, ExportedTarget, formatPlainNumber, layoutColumnsOf, stringifyRecords, toCsvRecord } from './target-csv';

const relance: TargetLayout = { name: 'relance', fields: [{ key: 'firstName', label: 'Prénom', type: 'string' }] };
const payment: TargetLayout = {
  name: 'paiement',
  fields: [
    { key: 'amount', label: 'Montant', type: 'number' },
    { key: 'firstName', label: 'Prénom', type: 'string' },
    { key: 'dueDate', label: 'Échéance', type: 'date' },
  ],
};

function target(overrides: Partial<ExportedTarget> = {}): ExportedTarget {
  return { phoneNumber: '+33612345678', startDate: '2030-01-07T08:00:00.000Z', priority: 7, layout: null, ...overrides };
}

describe('layoutColumnsOf', () => {
  it('lists each key once, in order of first appearance', () => {
    expect(layoutColumnsOf([relance, payment]).map((field) => field.key)).toEqual(['firstName', 'amount', 'dueDate']);
  });

  it('returns no column for a campaign without layouts', () => {
    expect(layoutColumnsOf([])).toEqual([]);
  });
});

describe('csvHeaderLine', () => {
  it('puts the layout keys after the target columns and ends with CRLF', () => {
    expect(csvHeaderLine(layoutColumnsOf([relance, payment]))).toBe(
      'phoneNumber,startDate,priority,insertIfDuplicate,firstName,amount,dueDate\r\n',
    );
  });

  it('leaves a key that starts with a minus sign as it is', () => {
    expect(csvHeaderLine([{ key: '-code', label: 'Code', type: 'string' }])).toBe(
      'phoneNumber,startDate,priority,insertIfDuplicate,-code\r\n',
    );
  });
});

describe('toCsvRecord', () => {
  it('maps the target fields and the layout values in column order', () => {
    const record = toCsvRecord(
      target({ layout: { name: 'paiement', values: { firstName: 'Léa', amount: 42.5, dueDate: '2030-02-01' } } }),
      ['firstName', 'amount', 'dueDate'],
    );

    expect(record).toEqual(['+33612345678', '2030-01-07T08:00:00.000Z', 7, 'false', 'Léa', 42.5, '2030-02-01']);
  });

  it('leaves a missing or null value, and a missing start date, empty', () => {
    const record = toCsvRecord(target({ startDate: null, layout: { name: 'relance', values: { firstName: null } } }), [
      'firstName',
      'amount',
    ]);

    expect(record).toEqual(['+33612345678', null, 7, 'false', null, null]);
  });

  it('writes text that spells a negative number as that number', () => {
    const values = { a: '-12.75', b: '-012.5', c: '-2+3', d: '-1e-7', e: '-', f: '12' };

    const record = toCsvRecord(target({ layout: { name: 'x', values } }), Object.keys(values));

    expect(record.slice(4)).toEqual([-12.75, '-012.5', '-2+3', '-1e-7', '-', '12']);
  });

  it('reads no layout value from the object prototype', () => {
    const record = toCsvRecord(target({ layout: { name: 'x', values: {} } }), ['constructor', 'toString']);

    expect(record.slice(4)).toEqual([null, null]);
  });

  it('fills every layout cell with null for a target without layout', () => {
    expect(toCsvRecord(target(), ['firstName'])).toEqual(['+33612345678', '2030-01-07T08:00:00.000Z', 7, 'false', null]);
  });
});

describe('stringifyRecords', () => {
  it.each([
    ['=HYPERLINK("http://example.test/?q=1","clic")', `"'=HYPERLINK(""http://example.test/?q=1"",""clic"")"`],
    ['@SUM(1)', "'@SUM(1)"],
    ['-2+3', "'-2+3"],
    ['+1', "'+1"],
    ['\tindent', "'\tindent"],
    ['\rline', `"'\rline"`],
    ['＝1+1', "'＝1+1"],
  ])('neutralises the text cell %p', (value, expected) => {
    expect(stringifyRecords([[value]])).toBe(`${expected}\r\n`);
  });

  it.each([
    ['Léa', 'Léa'],
    ['a=b', 'a=b'],
    ["'quoted", "'quoted"],
    ['Dupont, Jean', '"Dupont, Jean"'],
    ['ligne 1\nligne 2', '"ligne 1\nligne 2"'],
    ['a\rb', '"a\rb"'],
    ['', ''],
  ])('writes the ordinary text cell %p as %p', (value, expected) => {
    expect(stringifyRecords([[value]])).toBe(`${expected}\r\n`);
  });

  it('prefixes the E.164 phone number with an apostrophe', () => {
    expect(stringifyRecords([toCsvRecord(target(), [])])).toBe("'+33612345678,2030-01-07T08:00:00.000Z,7,false\r\n");
  });

  it('writes numbers as plain numbers, negative ones included', () => {
    expect(stringifyRecords([[-2, 42.5, 1e21, null]])).toBe('-2,42.5,1000000000000000000000,\r\n');
  });
});

describe('formatPlainNumber', () => {
  it.each([
    [0, '0'],
    [-2, '-2'],
    [42.5, '42.5'],
    [1e21, '1000000000000000000000'],
    [-1.25e22, '-12500000000000000000000'],
    [1.5e-7, '0.00000015'],
    [-1e-7, '-0.0000001'],
    [0.1 + 0.2, '0.30000000000000004'],
  ])('writes %p as %p', (value, expected) => {
    expect(formatPlainNumber(value)).toBe(expected);
  });

  it.each([1e21, 1.5e-7, 123456789.125, 5e-324, Number.MAX_VALUE])('reads %p back as the same number', (value) => {
    expect(Number(formatPlainNumber(value))).toBe(value);
  });
});

describe('target CSV read by the import', () => {
  it('gives back the numbers, start dates, priorities and layout values', async () => {
    const layoutColumns = layoutColumnsOf([relance, payment]);
    const keys = layoutColumns.map((field) => field.key);
    const targets = [
      target({ layout: { name: 'paiement', values: { firstName: 'Zoé', amount: -12.5, dueDate: '2030-02-01' } } }),
      target({ phoneNumber: '+447911123456', startDate: null, priority: 1, layout: { name: 'relance', values: { firstName: 'Élodie' } } }),
    ];
    const csv = '\uFEFF' + csvHeaderLine(layoutColumns) + stringifyRecords(targets.map((exported) => toCsvRecord(exported, keys)));

    const rows: TargetRowResult[] = [];
    const options = { timeZone: 'Europe/Paris', layoutFields: [{ key: 'amount', type: 'number' as const }] };
    for await (const row of readTargetRows([Buffer.from(csv)], options)) {
      rows.push(row);
    }

    expect(rows).toEqual([
      expect.objectContaining({
        kind: 'target',
        phoneNumber: '+33612345678',
        startDate: '2030-01-07T08:00:00.000Z',
        priority: 7,
        insertIfDuplicate: false,
        layoutValues: { firstName: 'Zoé', amount: -12.5, dueDate: '2030-02-01' },
      }),
      expect.objectContaining({
        kind: 'target',
        phoneNumber: '+447911123456',
        startDate: null,
        priority: 1,
        layoutValues: { firstName: 'Élodie', amount: null, dueDate: null },
      }),
    ]);
  });
});
