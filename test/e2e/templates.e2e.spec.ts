import { EmbeddedService, startEmbeddedService } from '../support/embedded-service';
import { eventually, HttpClient } from '../support/http-client';

type TemplateView = {
  id: string;
  name: string;
  body: string;
  placeholders: string[];
  encoding: string;
  characters: number;
  segments: number;
};

/** Templates over REST: encoding and segment counts as handsets count them, and previews rendered as plain text. */
describe('templates', () => {
  let embedded: EmbeddedService;
  let maker: HttpClient;

  beforeAll(async () => {
    embedded = await startEmbeddedService();
    ({ maker } = embedded);
  });

  afterAll(async () => {
    await embedded?.stop();
  });

  async function createTemplate(body: string, name = 'Relance'): Promise<TemplateView> {
    const response = await maker.post<TemplateView>('/templates', { name, body });
    expect(response.status).toBe(201);
    return response.body;
  }

  /** Waits until the template read model contains the template, because previews read it. */
  async function awaitTemplate(id: string): Promise<TemplateView> {
    return eventually(
      async () => {
        const response = await maker.get<TemplateView>(`/templates/${id}`);
        return response.status === 200 ? response.body : undefined;
      },
      10_000,
      `template ${id} in the read model`,
    );
  }

  describe('creation', () => {
    it('fits 80 closing brackets in one segment', async () => {
      const response = await maker.post('/templates', { name: 'Brackets', body: ']'.repeat(80) });

      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({
        id: expect.any(String),
        name: 'Brackets',
        body: ']'.repeat(80),
        placeholders: [],
        encoding: 'GSM-7',
        characters: 160,
        segments: 1,
      });
    });

    it('measures an emoji body in UCS-2', async () => {
      // 12 characters of the GSM alphabet, then an emoji of two UTF-16 units.
      const template = await createTemplate('Bonne année 🎉');

      expect(template).toMatchObject({ encoding: 'UCS-2', characters: 14, segments: 1 });
    });

    it('splits 161 septets into two segments', async () => {
      const template = await createTemplate('a'.repeat(161));

      expect(template).toMatchObject({ encoding: 'GSM-7', characters: 161, segments: 2 });
    });

    it('never splits an escape pair', async () => {
      // 152 septets, the two septets of '€', then 152 more. The 306 septets would fill two
      // 153-septet parts exactly, but the pair may not straddle them, so a third part is needed.
      const template = await createTemplate('a'.repeat(152) + '€' + 'a'.repeat(152));

      expect(template).toMatchObject({ encoding: 'GSM-7', characters: 306, segments: 3 });
    });

    it('lists each placeholder once', async () => {
      const template = await createTemplate('Bonjour {{firstName}}, {{ amount }} € dus. Merci {{firstName}}.');

      expect(template.placeholders).toEqual(['firstName', 'amount']);
    });

    it('rejects an empty name', async () => {
      const response = await maker.post('/templates', { name: '', body: 'Bonjour' });

      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({
        statusCode: 400,
        code: 'REQUEST.INVALID',
        details: [{ field: 'name', value: '', rule: expect.stringContaining('longer than or equal to 1') }],
      });
    });

    it('rejects an invalid language tag', async () => {
      const response = await maker.post('/templates', { name: 'Relance', body: 'Bonjour', language: 'klingon-xx-yy' });

      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({
        code: 'REQUEST.INVALID',
        details: [{ field: 'language', value: 'klingon-xx-yy', rule: 'must be a BCP 47 language tag such as fr or fr-FR' }],
      });
    });

    it('rejects fields of the wrong type', async () => {
      const response = await maker.post<{ code: string; details: Array<{ field: string; value: unknown }> }>('/templates', {
        name: 7,
        body: ['Bonjour'],
        language: false,
      });

      expect(response.status).toBe(400);
      expect(response.body.code).toBe('REQUEST.INVALID');
      const fields = new Set(response.body.details.map((detail) => detail.field));
      expect([...fields].sort()).toEqual(['body', 'language', 'name']);
      expect(response.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'name', value: 7 })]));
    });
  });

  describe('preview', () => {
    it('renders HTML-like text unescaped', async () => {
      const template = await createTemplate('<b>&amp;</b> {{client}}');
      await awaitTemplate(template.id);

      const response = await maker.post(`/templates/${template.id}/preview`, { variables: { client: "O'Neil & <Co>" } });

      expect(response.status).toBe(200);
      expect(response.body).toEqual({ text: "<b>&amp;</b> O'Neil & <Co>", encoding: 'GSM-7', characters: 26, segments: 1 });
    });

    it('measures the rendered text, not the template', async () => {
      const template = await createTemplate('Bonjour {{firstName}}');
      await awaitTemplate(template.id);
      // The four braces are extension characters of two septets each.
      expect(template).toMatchObject({ encoding: 'GSM-7', characters: 25 });

      const response = await maker.post(`/templates/${template.id}/preview`, { variables: { firstName: 'Zoé 😀' } });

      expect(response.status).toBe(200);
      expect(response.body).toEqual({ text: 'Bonjour Zoé 😀', encoding: 'UCS-2', characters: 14, segments: 1 });
    });

    it('rejects missing variables', async () => {
      const template = await createTemplate('Bonjour {{firstName}}, votre code est {{code}}.');
      await awaitTemplate(template.id);

      const response = await maker.post(`/templates/${template.id}/preview`, { variables: { firstName: 'Léa' } });

      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({
        statusCode: 400,
        code: 'TEMPLATE.MISSING_VARIABLES',
        message: expect.stringContaining("'code'"),
        details: [{ field: 'variables', value: 'code', rule: 'must give a value for every placeholder' }],
      });
    });

    it('returns 404 for an unknown template', async () => {
      const response = await maker.post('/templates/nope/preview', { variables: {} });

      expect(response.status).toBe(404);
      expect(response.body).toMatchObject({ statusCode: 404, code: 'TEMPLATE.NOT_FOUND', message: expect.stringContaining("'nope'") });
    });
  });

  describe('reading', () => {
    it('returns one template and a page of them', async () => {
      const first = await createTemplate('Premier', 'Page one');
      const second = await createTemplate('Second', 'Page two');

      const read = await awaitTemplate(second.id);
      expect(read).toMatchObject({ id: second.id, name: 'Page two', body: 'Second', encoding: 'GSM-7', characters: 6, segments: 1 });

      await awaitTemplate(first.id);
      const page = await maker.get<{ items: TemplateView[]; total: number; page: number; pageSize: number }>('/templates');
      expect(page.status).toBe(200);
      expect(page.body).toMatchObject({ page: 1, pageSize: 50 });
      expect(page.body.total).toBeGreaterThanOrEqual(2);
      expect(page.body.items.map((item) => item.id)).toEqual(expect.arrayContaining([first.id, second.id]));

      const small = await maker.get<{ items: TemplateView[]; total: number; page: number; pageSize: number }>(
        '/templates?page=2&pageSize=1',
      );
      expect(small.status).toBe(200);
      expect(small.body).toMatchObject({ page: 2, pageSize: 1, total: page.body.total });
      expect(small.body.items).toHaveLength(1);
    });

    it('returns 404 for an unknown template', async () => {
      const response = await maker.get('/templates/nope');

      expect(response.status).toBe(404);
      expect(response.body).toMatchObject({ statusCode: 404, code: 'TEMPLATE.NOT_FOUND', message: expect.stringContaining("'nope'") });
    });
  });
});
