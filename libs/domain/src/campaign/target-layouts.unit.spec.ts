import { layoutForKeys, layoutValueViolations, missingValueViolations, TargetLayout } from './target-layouts';

const layouts: TargetLayout[] = [
  {
    name: 'paiement',
    fields: [
      { key: 'amount', label: 'Montant', type: 'number' },
      { key: 'dueDate', label: 'Échéance', type: 'date' },
      { key: 'firstName', label: 'Prénom', type: 'string' },
    ],
  },
  { name: 'relance', fields: [{ key: 'firstName', label: 'Prénom', type: 'string' }] },
];

describe('layout values', () => {
  it('accepts values of the right type, and null for an empty value', () => {
    const values = { amount: 12.5, dueDate: '2026-12-31', firstName: 'Élodie' };
    expect(layoutValueViolations(layouts, { name: 'paiement', values })).toEqual([]);
    expect(layoutValueViolations(layouts, { name: 'paiement', values: { amount: null } })).toEqual([]);
  });

  it('names each value of the wrong type with the rule', () => {
    const violations = layoutValueViolations(layouts, {
      name: 'paiement',
      values: { amount: '12,5', dueDate: '31/12/2026', firstName: 3 },
    });
    expect(violations).toEqual([
      { field: 'layout.values.amount', value: '12,5', rule: 'must be a finite number' },
      { field: 'layout.values.dueDate', value: '31/12/2026', rule: expect.stringContaining('ISO-8601 date') },
      { field: 'layout.values.firstName', value: 3, rule: 'must be a string' },
    ]);
  });

  it('rejects a key the layout does not have and a layout the campaign does not have', () => {
    expect(layoutValueViolations(layouts, { name: 'relance', values: { amount: 3 } })).toEqual([
      { field: 'layout.values.amount', value: 3, rule: "is not a field of layout 'relance'" },
    ]);
    expect(layoutValueViolations(layouts, { name: 'import', values: {} })[0]).toMatchObject({
      field: 'layout.name',
      rule: "is not a layout of the campaign; known layouts: 'paiement', 'relance'",
    });
  });

  it('takes free-form values on a campaign without layouts', () => {
    expect(layoutValueViolations([], { name: 'import', values: { anything: 'goes', n: 1 } })).toEqual([]);
  });

  it('picks the layout that holds every key, else the first', () => {
    expect(layoutForKeys(layouts, ['firstName'])?.name).toBe('paiement');
    expect(layoutForKeys([...layouts].reverse(), ['firstName'])?.name).toBe('relance');
    expect(layoutForKeys(layouts, ['unknown'])?.name).toBe('paiement');
    expect(layoutForKeys([], ['firstName'])).toBeUndefined();
  });
});

describe('missing values of placeholders named like Object.prototype properties', () => {
  const builtInNames = ['constructor', '__proto__', 'toString'];

  it.each(builtInNames)('reports {{%s}} as missing when the values are empty', (key) => {
    expect(missingValueViolations([key], { values: {} }, 'tpl-1')).toEqual([
      { field: `layout.values.${key}`, value: null, rule: `is required: template 'tpl-1' uses {{${key}}}` },
    ]);
  });

  it.each(builtInNames)('reports {{%s}} as missing when the target has no layout', (key) => {
    expect(missingValueViolations([key], undefined, 'tpl-1')).toEqual([
      { field: 'layout', value: null, rule: `is required: template 'tpl-1' uses {{${key}}}` },
    ]);
  });

  it.each(builtInNames)('accepts an own value of {{%s}}', (key) => {
    // Parsed as a request body is, so that `__proto__` becomes an own property.
    const values = JSON.parse(`{"${key}": "x"}`) as Record<string, unknown>;
    expect(missingValueViolations([key], { values }, 'tpl-1')).toEqual([]);
  });
});
