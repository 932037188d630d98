import { importTemplateHeader, planColumns } from './columns';
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
    expect(error.message).toBe("the header contains column 'note' twice; rename one of them");
  });

  it('rejects __proto__ as a layout key', () => {
    expect(planError(['phoneNumber', '__proto__']).code).toBe('IMPORT.INVALID_COLUMN');
  });
});
