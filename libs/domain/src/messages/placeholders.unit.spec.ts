import { extractPlaceholders, renderTemplate } from './placeholders';

describe('template placeholders', () => {
  it('lists each key once, in order of appearance', () => {
    expect(extractPlaceholders('Hi {{firstName}}, {{ amount }} due; {{firstName}}')).toEqual(['firstName', 'amount']);
  });

  it('renders values without any escaping', () => {
    const result = renderTemplate('Bonjour {{name}} <b>&</b>', { name: "O'Neil & <Co>" });
    expect(result).toEqual({ ok: true, text: "Bonjour O'Neil & <Co> <b>&</b>" });
  });

  it('reports every missing key', () => {
    expect(renderTemplate('{{a}} {{b}} {{c}}', { b: 'x' })).toEqual({ ok: false, missing: ['a', 'c'] });
  });

  it('does not treat single braces as placeholders', () => {
    expect(extractPlaceholders('{a} {{ }} {{b c}}')).toEqual([]);
  });

  describe('placeholders named like Object.prototype properties', () => {
    const builtInNames = ['constructor', '__proto__', 'toString'];

    it.each(builtInNames)('reports {{%s}} as missing when the variables are empty', (key) => {
      expect(renderTemplate(`Bonjour {{${key}}}`, {})).toEqual({ ok: false, missing: [key] });
    });

    it.each(builtInNames)('renders an own value of {{%s}} exactly', (key) => {
      // Parsed as a request body is, so that `__proto__` becomes an own property.
      const variables = JSON.parse(`{"${key}": "x"}`) as Record<string, unknown>;
      expect(renderTemplate(`Bonjour {{${key}}}`, variables)).toEqual({ ok: true, text: 'Bonjour x' });
    });
  });
});
