import { checkMapping, importTemplateHeader, planColumns } from './columns';
import { ImportFormatError } from './import-format-error';

const NO_MAPPING = new Map<string, string>();
const NO_LAYOUT = new Map<string, 'string' | 'number' | 'date'>();

function planError(header: string[], mapping = NO_MAPPING): ImportFormatError {
  try {
    planColumns(header, mapping, NO_LAYOUT);
  } catch (error: unknown) {
    if (error instanceof ImportFormatError) {
      return error;
    }
    throw error;
  }
  throw new Error('planColumns accepted the header');
}

describe('importTemplateHeader', () => {
  it('lists the target columns without layout fields', () => {
    expect(importTemplateHeader([])).toBe('phoneNumber,startDate,priority,insertIfDuplicate');
  });

  it('appends the layout keys in order', () => {
    const header = importTemplateHeader([
      { key: 'firstName', type: 'string' },
      { key: 'amount', type: 'number' },
    ]);

    expect(header).toBe('phoneNumber,startDate,priority,insertIfDuplicate,firstName,amount');
  });

  it('quotes a layout key when CSV needs it', () => {
    expect(importTemplateHeader([{ key: 'a,b "c"', type: 'string' }])).toBe('phoneNumber,startDate,priority,insertIfDuplicate,"a,b ""c"""');
  });
});

describe('planColumns', () => {
  it('places target fields and layout columns', () => {
    const plan = planColumns(['note', ' phoneNumber ', 'startDate', 'amount'], NO_MAPPING, new Map([['amount', 'number']]));

    expect(plan).toEqual({
      columnCount: 4,
      columnNames: ['note', 'phoneNumber', 'startDate', 'amount'],
      targetColumns: { phoneNumber: 1, startDate: 2, priority: -1, insertIfDuplicate: -1, timeZone: -1 },
      layoutColumns: [
        { index: 0, key: 'note', type: 'string' },
        { index: 3, key: 'amount', type: 'number' },
      ],
    });
  });

  it('renames columns through the mapping', () => {
    const mapping = new Map([
      ['telephone', 'phoneNumber'],
      ['fuseau', 'timeZone'],
      ['prenom', 'firstName'],
    ]);

    const plan = planColumns(['telephone', 'prenom', 'fuseau'], mapping, NO_LAYOUT);

    expect(plan.targetColumns).toMatchObject({ phoneNumber: 0, timeZone: 2 });
    expect(plan.layoutColumns).toEqual([{ index: 1, key: 'firstName', type: 'string' }]);
  });

  it('rejects a header without phoneNumber', () => {
    const error = planError(['tel', 'startDate']);

    expect(error.code).toBe('IMPORT.MISSING_COLUMN');
    expect(error.details).toEqual([{ field: 'phoneNumber', value: ['tel', 'startDate'], rule: 'is a required column' }]);
  });

  it('rejects a column name given twice', () => {
    const error = planError(['phoneNumber', 'note', 'note']);

    expect(error.code).toBe('IMPORT.DUPLICATE_COLUMN');
    expect(error.message).toBe("the header contains column 'note' twice, but column names must be unique; rename one of them");
  });

  it('names the header when a column and a mapped column fill one field', () => {
    const error = planError(['phoneNumber', 'tel'], new Map([['tel', 'phoneNumber']]));

    expect(error.code).toBe('IMPORT.DUPLICATE_COLUMN');
    expect(error.message).toBe(
      "the header has columns 'phoneNumber' and 'tel' that both fill 'phoneNumber', but one column at most may fill a field; " +
        'remove one of them or change the mapping',
    );
  });

  it.each(['__proto__', 'constructor', 'toString'])('rejects %s as a layout key', (key) => {
    const error = planError(['phoneNumber', key]);

    expect(error.code).toBe('IMPORT.INVALID_COLUMN');
    expect(error.message).toContain(`layout key named '${key}'`);
  });
});

describe('checkMapping', () => {
  function mappingError(mapping: Record<string, string>, layoutKeys?: ReadonlySet<string>): ImportFormatError {
    try {
      checkMapping(mapping, layoutKeys);
    } catch (error: unknown) {
      if (error instanceof ImportFormatError) {
        return error;
      }
      throw error;
    }
    throw new Error('expected checkMapping to throw');
  }

  it('accepts target fields and layout keys', () => {
    expect(() => checkMapping({ tel: 'phoneNumber', prenom: 'firstName' }, new Set(['firstName']))).not.toThrow();
  });

  it('rejects two columns mapped to one field', () => {
    const error = mappingError({ tel: 'phoneNumber', mobile: ' phoneNumber ' });

    expect(error.code).toBe('IMPORT.INVALID_MAPPING');
    expect(error.message).toBe(
      'mapping {"mobile":"phoneNumber"}: \'phoneNumber\' is also the target of column \'tel\', but one column at most may fill a field',
    );
  });

  it.each(['constructor', 'toString', '__proto__'])('rejects the layout key %s', (key) => {
    const error = mappingError({ x: key });

    expect(error.code).toBe('IMPORT.INVALID_MAPPING');
    expect(error.details).toEqual([{ field: 'mapping.x', value: key, rule: expect.stringContaining('built-in property name') as string }]);
  });

  it('rejects a key that no layout of the campaign has', () => {
    const error = mappingError({ x: 'agency' }, new Set(['firstName']));

    expect(error.message).toContain("'agency' is neither a target field nor a field of a layout of the campaign");
  });
});
