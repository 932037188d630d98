import { layoutForKeys, layoutOfValues, layoutValueViolations, missingValueViolations, TargetLayout } from './target-layouts';

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

describe('layout values named like Object.prototype properties', () => {
  it.each(['toString', 'constructor', 'hasOwnProperty'])('rejects %s in a layout', (key) => {
    const violations = layoutValueViolations(layouts, { name: 'relance', values: { firstName: 'a', [key]: 'x' } });

    expect(violations).toEqual([{ field: `layout.values.${key}`, value: 'x', rule: "is not a field of layout 'relance'" }]);
  });

  it.each(['toString', 'constructor'])('rejects %s on a campaign without layouts', (key) => {
    const violations = layoutValueViolations([], { name: 'import', values: { firstName: 'a', [key]: 'x' } });

    expect(violations).toEqual([
      {
        field: `layout.values.${key}`,
        value: 'x',
        rule: 'is a built-in property name of JavaScript objects, so it cannot be a layout key',
      },
    ]);
  });

  it('accepts free-form keys on a campaign without layouts', () => {
    expect(layoutValueViolations([], { name: 'import', values: { firstName: 'a', agence: 'Lyon' } })).toEqual([]);
  });
});

describe('layout of values without a layout name', () => {
  const exported: TargetLayout[] = [
    { name: 'paiement', fields: [{ key: 'amount', label: 'Montant', type: 'number' }] },
    {
      name: 'relance',
      fields: [
        { key: 'firstName', label: 'Prénom', type: 'string' },
        { key: 'agence', label: 'Agence', type: 'string' },
      ],
    },
  ];

  it('picks the layout of the filled values', () => {
    const result = layoutOfValues(exported, { amount: null, firstName: 'Léa', agence: 'Lyon' });

    expect(result).toEqual({ layout: { name: 'relance', values: { firstName: 'Léa', agence: 'Lyon' } } });
  });

  it('picks the first layout when no value is filled', () => {
    expect(layoutOfValues(exported, { amount: null, agence: null })).toEqual({ layout: { name: 'paiement', values: { amount: null } } });
  });

  it('names a filled value that no single layout can hold', () => {
    const result = layoutOfValues(exported, { amount: 12, firstName: 'Léa', agence: 'Lyon' });

    expect(result).toEqual({
      violation: {
        field: 'layout.values.amount',
        value: 12,
        rule: "is not a field of layout 'relance', and no layout of the campaign has a field for each filled value (amount, firstName, agence)",
      },
    });
  });

  it('names a filled value that is a field of no layout', () => {
    const result = layoutOfValues(exported, { amount: 12, note: 'x' });

    expect(result).toMatchObject({ violation: { field: 'layout.values.note', value: 'x' } });
  });
});
