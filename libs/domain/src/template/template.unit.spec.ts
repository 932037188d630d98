import { deciderSpec } from '../shared/decider-spec';
import { TemplateCreated, templateDecider } from './template';

const spec = deciderSpec(templateDecider);

describe('template decider', () => {
  it('creates a template with its placeholders, encoding and septets (braces and € take two)', () => {
    const created: TemplateCreated = {
      type: 'TemplateCreated',
      data: {
        id: 't1',
        name: 'Relance',
        body: 'Bonjour {{firstName}}, réglez {{amount}} €',
        language: 'fr',
        placeholders: ['firstName', 'amount'],
        encoding: 'GSM-7',
        characters: 51,
        segments: 1,
      },
    };

    spec
      .given([])
      .when({ type: 'CreateTemplate', id: 't1', name: 'Relance', body: 'Bonjour {{firstName}}, réglez {{amount}} €', language: 'fr' })
      .then([created]);
  });

  it('counts a body outside GSM-7 in UCS-2 units', () => {
    const [event] = spec.given([]).when({ type: 'CreateTemplate', id: 't2', name: 'Emoji', body: 'Merci 🙏' }).result();

    expect(event.data).toMatchObject({ encoding: 'UCS-2', characters: 8, segments: 1, language: null, placeholders: [] });
  });

  it('rejects an empty body, a body longer than ten segments and a second creation', () => {
    spec.given([]).when({ type: 'CreateTemplate', id: 't3', name: 'Vide', body: '   ' }).thenThrows('TEMPLATE.EMPTY_BODY');
    spec
      .given([])
      .when({ type: 'CreateTemplate', id: 't4', name: 'Long', body: 'a'.repeat(153 * 10 + 1) })
      .thenThrows('TEMPLATE.TOO_LONG');
    const created = spec.given([]).when({ type: 'CreateTemplate', id: 't5', name: 'T', body: 'Bonjour' }).result();
    spec.given(created).when({ type: 'CreateTemplate', id: 't5', name: 'T', body: 'Bonjour' }).thenThrows('TEMPLATE.ALREADY_EXISTS');
  });

  it('rejects placeholders named like object properties', () => {
    for (const key of ['constructor', '__proto__', 'toString', 'prototype']) {
      spec
        .given([])
        .when({ type: 'CreateTemplate', id: 't6', name: 'Proto', body: `Bonjour {{${key}}}` })
        .thenThrows('TEMPLATE.INVALID_PLACEHOLDER');
    }
    const [event] = spec.given([]).when({ type: 'CreateTemplate', id: 't7', name: 'Ok', body: 'Bonjour {{constructorName}}' }).result();
    expect(event.data.placeholders).toEqual(['constructorName']);
  });
});
