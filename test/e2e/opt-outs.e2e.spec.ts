import { randomInt, randomUUID } from 'node:crypto';
import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { signAccessToken } from '@sms/application';
import { countsWhen, createCampaign, EmbeddedService, startEmbeddedService } from '../support/embedded-service';
import { eventually, HttpClient } from '../support/http-client';
import { NATS_URL } from '../support/test-environment';

/** Returns a French mobile number that no other test uses, in E.164 and in national form. */
function freshNumber(): { e164: string; national: string } {
  // 0612 is a mobile range in libphonenumber's metadata; some other 06 ranges are not allocated.
  const subscriber = `12${randomInt(100_000, 999_999)}`;
  return { e164: `+336${subscriber}`, national: `06${subscriber}` };
}

async function optOutsOf(maker: HttpClient, phone: string) {
  const { body } = await maker.get<{ items: Array<Record<string, unknown>>; total: number }>(
    `/opt-outs?phone=${encodeURIComponent(phone)}`,
  );
  return body;
}

function untilListed(maker: HttpClient, phone: string) {
  return eventually(async () => (await optOutsOf(maker, phone)).items[0], 10_000, `${phone} on the opt-out list`);
}

/** Creates a campaign with one target per number, switches it ON and waits until no target is pending or in progress. */
async function sendTo(maker: HttpClient, numbers: readonly string[], campaign: Record<string, unknown> = {}): Promise<string> {
  const campaignId = await createCampaign(maker, { body: 'Bonjour', campaign });
  for (const phoneNumber of numbers) {
    const added = await maker.post(`/campaigns/${campaignId}/targets`, { phoneNumber });
    expect(added).toMatchObject({ status: 201 });
  }
  await maker.post(`/campaigns/${campaignId}/status`, { status: 'ON' });
  await countsWhen(
    maker,
    campaignId,
    (counts) => counts.pending === 0 && counts.inProgress === 0 && counts.sent + counts.delivered + counts.optedOut === numbers.length,
    30_000,
    'every target to end',
  );
  return campaignId;
}

async function statusOfTarget(maker: HttpClient, campaignId: string, phone: string): Promise<string> {
  const { body } = await maker.get<{ items: Array<{ status: string }> }>(
    `/campaigns/${campaignId}/targets?phone=${encodeURIComponent(phone)}`,
  );
  return body.items[0].status;
}

describe('opt-outs on the embedded profile', () => {
  let embedded: EmbeddedService;

  beforeAll(async () => {
    embedded = await startEmbeddedService({ receiptDelayMs: 20 }, { NATS_URL });
  });

  afterAll(async () => {
    await embedded?.stop();
  });

  describe('endpoints', () => {
    it('adds a number once and records OptedOut', async () => {
      const { maker, service } = embedded;
      const number = freshNumber();

      const first = await maker.post('/opt-outs', { phoneNumber: number.national });
      const second = await maker.post('/opt-outs', { phoneNumber: number.e164 });

      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({ phoneNumber: number.e164, source: 'MAKER', keyword: null, campaignId: null });
      expect(second.status).toBe(200);
      expect(second.body).toEqual(first.body);
      const listed = await untilListed(maker, number.national);
      expect(listed).toEqual(first.body);
      const events = await service.infrastructure.eventStore.readAll({ filter: { streamPrefixes: ['optout-'] }, maxCount: 100_000 });
      const mine = events.filter((event) => (event.data as { phoneNumber?: string }).phoneNumber === number.e164);
      expect(mine.map((event) => event.type)).toEqual(['OptedOut']);
      expect(mine[0].streamName).not.toContain(number.e164.slice(1));
    });

    it('removes a listed number, then answers 404', async () => {
      const { maker } = embedded;
      const number = freshNumber();
      await maker.post('/opt-outs', { phoneNumber: number.e164 });

      const removed = await maker.request('DELETE', `/opt-outs/${encodeURIComponent(number.e164)}`);
      const again = await maker.request('DELETE', `/opt-outs/${number.national}`);

      expect(removed.status).toBe(204);
      expect(again.status).toBe(404);
      expect(again.body).toMatchObject({ code: 'OPT_OUT.NOT_FOUND' });
      await eventually(
        async () => ((await optOutsOf(maker, number.e164)).total === 0 ? true : undefined),
        10_000,
        'the number to leave the list',
      );
    });

    it('rejects invalid numbers naming field, value and rule', async () => {
      const { maker } = embedded;

      const added = await maker.post('/opt-outs', { phoneNumber: '0612' });
      const listed = await maker.get('/opt-outs?phone=abc');
      const removed = await maker.request('DELETE', '/opt-outs/0145000000');
      const missing = await maker.post('/opt-outs', {});

      expect(added.status).toBe(400);
      expect(added.body).toMatchObject({ code: 'OPT_OUT.INVALID_PHONE_NUMBER', details: [{ field: 'phoneNumber', value: '0612' }] });
      expect((added.body.details as Array<{ rule: string }>)[0].rule).toMatch(/not a valid number/);
      expect(listed.status).toBe(400);
      expect(listed.body).toMatchObject({ details: [{ field: 'phone', value: 'abc' }] });
      expect(removed.status).toBe(400);
      expect((removed.body.details as Array<{ rule: string }>)[0].rule).toMatch(/fixed line/);
      expect(missing.status).toBe(400);
      expect(missing.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'phoneNumber' })]));
    });

    it('refuses callers without the maker role', async () => {
      const advisor = await signAccessToken(embedded.secret, { sub: 'bob', roles: ['advisor'], profileIds: [] });

      const listed = await embedded.maker.get('/opt-outs', { token: advisor });
      const added = await embedded.maker.post('/opt-outs', { phoneNumber: freshNumber().e164 }, { token: advisor });

      expect(listed.status).toBe(403);
      expect(added.status).toBe(403);
    });
  });

  describe('sending', () => {
    it('never submits to a number opted out by POST', async () => {
      const { maker, simulator } = embedded;
      const blocked = freshNumber();
      const allowed = freshNumber();
      await maker.post('/opt-outs', { phoneNumber: blocked.e164 });
      await untilListed(maker, blocked.e164);

      const campaignId = await sendTo(maker, [blocked.e164, allowed.e164]);

      const { body } = await maker.get<{ counts: Record<string, number> }>(`/campaigns/${campaignId}`);
      expect(body.counts.optedOut).toBe(1);
      expect(await statusOfTarget(maker, campaignId, blocked.e164)).toBe('OPTED_OUT');
      expect(simulator.submits().filter((submit) => submit.destination === blocked.e164.slice(1))).toHaveLength(0);
      expect(simulator.submits().filter((submit) => submit.destination === allowed.e164.slice(1))).toHaveLength(1);
    }, 60_000);
  });

  describe('replies', () => {
    it('opts out on STOP and back in on START', async () => {
      const { maker, simulator } = embedded;
      const number = freshNumber();
      const firstCampaign = await sendTo(maker, [number.e164]);

      await simulator.injectMo(number.e164, '36180', ' Stop! ');
      const listed = await untilListed(maker, number.e164);
      const laterCampaign = await sendTo(maker, [number.e164]);
      await simulator.injectMo(number.e164, '36180', 'start');

      expect(listed).toMatchObject({ source: 'REPLY', keyword: 'STOP', campaignId: firstCampaign });
      expect(await statusOfTarget(maker, laterCampaign, number.e164)).toBe('OPTED_OUT');
      await eventually(
        async () => ((await optOutsOf(maker, number.e164)).total === 0 ? true : undefined),
        10_000,
        'START to take the number off',
      );
    }, 90_000);

    it('reads ARRÊT with an accent as an opt-out', async () => {
      const { maker, simulator } = embedded;
      const number = freshNumber();

      await simulator.injectMo(number.e164, '36180', 'ARRÊT.');

      expect(await untilListed(maker, number.e164)).toMatchObject({ source: 'REPLY', keyword: 'ARRET', campaignId: null });
    });

    it('keeps a number that writes a sentence containing stop', async () => {
      const { maker, simulator } = embedded;
      const number = freshNumber();
      const marker = freshNumber();

      await simulator.injectMo(number.e164, '36180', "please don't stop");
      // A STOP from another number, handled after the sentence, shows the sentence was handled too.
      await simulator.injectMo(marker.e164, '36180', 'STOP');
      await untilListed(maker, marker.e164);

      expect((await optOutsOf(maker, number.e164)).total).toBe(0);
    });
  });

  describe('chat flow', () => {
    let nc: NatsConnection;

    beforeAll(async () => {
      nc = await connect({ servers: NATS_URL });
    });

    afterAll(async () => {
      await nc?.close();
    });

    /** Collects what arrives on the subject until `count` messages are in, or fails after the timeout. */
    async function receive(subscription: Subscription, count: number): Promise<Array<Record<string, unknown>>> {
      const received: Array<Record<string, unknown>> = [];
      const timer = setTimeout(() => subscription.unsubscribe(), 15_000);
      try {
        for await (const message of subscription) {
          received.push(message.json<Record<string, unknown>>());
          if (received.length === count) break;
        }
      } finally {
        clearTimeout(timer);
      }
      return received;
    }

    it('forwards replies and STOP to the flow', async () => {
      const { maker, simulator } = embedded;
      const number = freshNumber();
      const flowId = `e2e-${randomUUID()}`;
      const campaignId = await sendTo(maker, [number.e164], { chatFlow: { enabled: true, flowId } });
      const { body: targets } = await maker.get<{ items: Array<{ id: string }> }>(`/campaigns/${campaignId}/targets`);
      const { body: sends } = await maker.get<{ items: Array<{ attemptId: string; sessionId: string }> }>(`/campaigns/${campaignId}/sends`);
      const subscription = nc.subscribe(`chat.inbound.${flowId}`);
      await nc.flush();

      const arriving = receive(subscription, 2);
      await simulator.injectMo(number.e164, '36180', 'Rappelez-moi demain');
      await simulator.injectMo(number.e164, '36180', 'STOP');
      const received = await arriving;

      expect(received).toHaveLength(2);
      expect(received[0]).toEqual({
        campaignId,
        targetId: targets.items[0].id,
        sessionId: sends.items[0].sessionId,
        attemptId: sends.items[0].attemptId,
        from: number.e164,
        text: 'Rappelez-moi demain',
        receivedAt: expect.any(String),
      });
      expect(received[1]).toMatchObject({ campaignId, text: 'STOP' });
      expect(await untilListed(maker, number.e164)).toMatchObject({ keyword: 'STOP', campaignId });
    }, 90_000);

    it('forwards nothing for a campaign without chat flow', async () => {
      const { maker, simulator } = embedded;
      const number = freshNumber();
      const flowId = `e2e-${randomUUID()}`;
      await sendTo(maker, [number.e164], { chatFlow: { enabled: false, flowId } });
      const subscription = nc.subscribe(`chat.inbound.${flowId}`, { timeout: 1_000 });
      await nc.flush();

      await simulator.injectMo(number.e164, '36180', 'Bonjour');
      const received = await receive(subscription, 1).catch(() => []);

      expect(received).toHaveLength(0);
    }, 60_000);
  });
});
