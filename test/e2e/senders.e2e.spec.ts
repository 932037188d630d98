import { EmbeddedService, startEmbeddedService } from '../support/embedded-service';
import { eventually, HttpClient } from '../support/http-client';

type SenderView = { id: string; name: string; senderId: string; kind: string; throughputPerSecond: number | null };
type SenderPage = { items: SenderView[]; total: number; page: number; pageSize: number };

/** Senders over REST: the three forms of sender id that operators accept, and the 400 for the rest. */
describe('senders', () => {
  let embedded: EmbeddedService;
  let maker: HttpClient;

  beforeAll(async () => {
    embedded = await startEmbeddedService();
    ({ maker } = embedded);
  });

  afterAll(async () => {
    await embedded?.stop();
  });

  async function eventCount(): Promise<number> {
    return (await embedded.service.infrastructure.eventStore.readAll({ maxCount: 1_000_000 })).length;
  }

  async function awaitSender(id: string): Promise<SenderView> {
    return eventually(
      async () => {
        const response = await maker.get<SenderView>(`/senders/${id}`);
        return response.status === 200 ? response.body : undefined;
      },
      10_000,
      `sender ${id} in the read model`,
    );
  }

  describe('registration', () => {
    it.each([
      ['a short code', '38100', 'SHORT_CODE'],
      ['an E.164 number', '+33612345678', 'E164'],
      ['an alphanumeric id', 'ACME', 'ALPHANUMERIC'],
      ['an alphanumeric id of 11 characters', 'ACME Shop 1', 'ALPHANUMERIC'],
      ['digits with one letter', '1234A', 'ALPHANUMERIC'],
    ])('registers %s', async (_, senderId, kind) => {
      const response = await maker.post<SenderView>('/senders', { name: 'Service client', senderId });

      expect(response.status).toBe(201);
      expect(response.body).toEqual({ id: expect.any(String), name: 'Service client', senderId, kind, throughputPerSecond: null });
      expect(response.headers.get('etag')).toMatch(/^"\d+"$/);
    });

    it('registers a sender with its own throughput cap', async () => {
      const response = await maker.post<SenderView>('/senders', { name: 'Capped', senderId: 'ACME', throughputPerSecond: 5 });

      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ senderId: 'ACME', kind: 'ALPHANUMERIC', throughputPerSecond: 5 });
    });

    it('registers one sender id twice', async () => {
      const first = await maker.post<SenderView>('/senders', { name: 'Accueil', senderId: 'TWICE' });
      const second = await maker.post<SenderView>('/senders', { name: 'Recouvrement', senderId: 'TWICE' });

      expect(first.status).toBe(201);
      expect(second.status).toBe(201);
      expect(second.body.id).not.toBe(first.body.id);
    });

    it.each([
      ['AB', 'two characters'],
      ['ABCDEFGHIJKL', 'twelve characters'],
      ['12345678901234567', 'seventeen digits'],
      ['123456789', 'nine digits'],
      ['+0612345678', 'E.164 with a trunk zero'],
      ['ACMÊ', 'outside the GSM alphabet'],
    ])('rejects %p (%s)', async (senderId) => {
      const before = await eventCount();

      const response = await maker.post('/senders', { name: 'Service client', senderId });

      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({
        statusCode: 400,
        code: 'SENDER.INVALID_SENDER_ID',
        details: [{ field: 'senderId', value: senderId, rule: expect.stringMatching(/\S/) }],
      });
      expect(await eventCount()).toBe(before);
    });

    it('rejects a missing name and a number', async () => {
      const response = await maker.post<{ code: string; details: Array<{ field: string; value: unknown }> }>('/senders', {
        senderId: 38100,
      });

      expect(response.status).toBe(400);
      expect(response.body.code).toBe('REQUEST.INVALID');
      expect([...new Set(response.body.details.map((detail) => detail.field))].sort()).toEqual(['name', 'senderId']);
      expect(response.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'senderId', value: 38100 })]));
    });
  });

  describe('reading', () => {
    it('returns one sender and a page of them', async () => {
      const created = await maker.post<SenderView>('/senders', { name: 'Lecture', senderId: '+33612345679' });

      const read = await awaitSender(created.body.id);
      expect(read).toMatchObject({
        id: created.body.id,
        name: 'Lecture',
        senderId: '+33612345679',
        kind: 'E164',
        throughputPerSecond: null,
      });

      const page = await maker.get<SenderPage>('/senders');
      expect(page.status).toBe(200);
      expect(page.body).toMatchObject({ page: 1, pageSize: 50 });
      expect(page.body.total).toBeGreaterThanOrEqual(1);
      expect(page.body.items.map((item) => item.id)).toContain(created.body.id);

      const small = await maker.get<SenderPage>('/senders?pageSize=1');
      expect(small.status).toBe(200);
      expect(small.body).toMatchObject({ page: 1, pageSize: 1, total: page.body.total });
      expect(small.body.items).toHaveLength(1);
    });

    it('returns 404 for an unknown sender', async () => {
      const response = await maker.get('/senders/nope');

      expect(response.status).toBe(404);
      expect(response.body).toMatchObject({ statusCode: 404, code: 'SENDER.NOT_FOUND', message: expect.stringContaining("'nope'") });
    });
  });
});
