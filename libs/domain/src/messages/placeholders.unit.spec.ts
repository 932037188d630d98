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
});
