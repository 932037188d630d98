import { randomUUID } from 'node:crypto';
import { DispatchScheduler } from '@sms/application';
import { streams } from '@sms/domain';
import { sleep, switchOn } from '../support/campaign-run';
import { createCampaign, EmbeddedService, startEmbeddedService } from '../support/embedded-service';
import { eventually } from '../support/http-client';

/** The shortest SCHEDULER_CLAIM_RECOVERY_MS the configuration accepts. */
const RECOVERY_MS = 5_000;

/**
 * A scheduler stores a claim (SmsAttemptStarted) before it publishes the send command. These tests
 * store the claim as a scheduler would and publish nothing, as when that scheduler dies in between
 * or the publish fails, then tick another scheduler by hand.
 */
describe('claims that no sender took up', () => {
  let embedded: EmbeddedService;

  beforeAll(async () => {
    // The scheduler's own timer waits a minute, so only the test's ticks run.
    embedded = await startEmbeddedService(
      { receiptDelayMs: 50 },
      { SCHEDULER_TICK_MS: '60000', SCHEDULER_CLAIM_RECOVERY_MS: String(RECOVERY_MS) },
    );
  }, 180_000);

  afterAll(async () => {
    await embedded?.stop();
  }, 30_000);

  it('are sent once after the recovery delay', async () => {
    const { scheduler, campaignId, targetId, phoneNumber } = await claimWithoutCommand('+33612340101');

    await scheduler.tick();
    await sleep(1_000);
    expect(submitsTo(phoneNumber)).toBe(0);

    await sleep(RECOVERY_MS);
    await scheduler.tick();
    await statusOf(campaignId, targetId, 'DELIVERED');
    await sleep(RECOVERY_MS + 500);
    await scheduler.tick();
    await sleep(500);

    const events = await embedded.service.infrastructure.eventStore.readStream(streams.target(targetId));
    expect(events.filter((event) => event.type === 'SmsAttemptStarted')).toHaveLength(1);
    expect(events.filter((event) => event.type === 'SmsSubmissionStarted')).toHaveLength(1);
    expect(submitsTo(phoneNumber)).toBe(1);
  }, 60_000);

  it('end UNKNOWN without a submit when the submission had started', async () => {
    const { scheduler, campaignId, targetId, phoneNumber, attemptId, revision } = await claimWithoutCommand('+33612340102');
    // The sender stored SmsSubmissionStarted and died; its command is gone too.
    await embedded.service.infrastructure.eventStore.appendToStream(
      streams.target(targetId),
      [{ id: randomUUID(), type: 'SmsSubmissionStarted', data: { attemptId, at: new Date().toISOString() }, metadata: metadata() }],
      { expectedRevision: revision },
    );

    await sleep(RECOVERY_MS + 500);
    await scheduler.tick();
    const target = await statusOf(campaignId, targetId, 'UNKNOWN');

    expect(submitsTo(phoneNumber)).toBe(0);
    expect(target.attempts).toEqual([
      expect.objectContaining({ id: attemptId, status: 'UNKNOWN', error: expect.objectContaining({ code: 'SUBMISSION_INTERRUPTED' }) }),
    ]);
  }, 60_000);

  /** Adds a target to a campaign that is ON and claims it without publishing its send command. */
  async function claimWithoutCommand(phoneNumber: string) {
    const { maker, service } = embedded;
    const scheduler = service.app.get(DispatchScheduler);
    const campaignId = await createCampaign(maker);
    const added = await maker.post(`/campaigns/${campaignId}/targets`, { phoneNumber, startDate: '2030-01-01T00:00:00Z' });
    expect(added.status).toBe(201);
    const targetId = String(added.body.id);
    await switchOn(maker, campaignId);
    const campaign = await maker.get(`/campaigns/${campaignId}`);
    const attemptId = randomUUID();
    const startedAt = new Date().toISOString();
    const claimed = await service.infrastructure.eventStore.appendToStream(
      streams.target(targetId),
      [
        {
          id: randomUUID(),
          type: 'SmsAttemptStarted',
          data: { attemptId, attemptNumber: 1, campaignId, sessionId: String(campaign.body.sessionId), startedAt },
          metadata: metadata(),
        },
      ],
      { expectedRevision: 0 },
    );
    await statusOf(campaignId, targetId, 'IN_PROGRESS');
    return { scheduler, campaignId, targetId, phoneNumber, attemptId, revision: claimed.nextExpectedRevision };
  }

  function submitsTo(phoneNumber: string): number {
    return embedded.simulator.submits().filter((submit) => `+${submit.destination}` === phoneNumber).length;
  }

  async function statusOf(
    campaignId: string,
    targetId: string,
    status: string,
  ): Promise<Record<string, unknown> & { attempts: unknown[] }> {
    const { body } = await eventually(
      async () => {
        const response = await embedded.maker.get(`/campaigns/${campaignId}/targets/${targetId}`);
        return response.status === 200 && response.body.status === status ? response : undefined;
      },
      20_000,
      `target ${targetId} to be ${status}`,
    );
    return body as Record<string, unknown> & { attempts: unknown[] };
  }
});

function metadata() {
  const id = randomUUID();
  return {
    actor: { id: 'service:claim-recovery-test', role: 'service' },
    correlationId: id,
    causationId: id,
    decidedAt: new Date().toISOString(),
  };
}
