import { randomUUID } from 'node:crypto';
import { DomainEvent, streams } from '@sms/domain';
import { AppendResult, JsonObject, NewEvent, ProjectionRunner, SqlEventStore } from '@sms/event-store';
import { createSqlProjections } from './projections';
import { ReadModelQueries } from './read-model-queries';
import { EMPTY_TARGET_COUNTS } from './campaigns/target-counts';
import { attempted, attemptStarted, campaignCreated, statusToggled, targetAdded } from './testing/domain-events';
import { newId } from './testing/event-log';
import { TEST_DATABASES, useTestSchema } from './testing/test-databases';

describe.each(TEST_DATABASES)('read models behind the projection runner on $name', (database) => {
  const test = useTestSchema(database);
  let store: SqlEventStore;
  let runner: ProjectionRunner;
  let eventSchema: string;

  beforeEach(async () => {
    eventSchema = `${test.schema}_events`;
    store = new SqlEventStore(test.db, { schema: eventSchema });
    await store.ensureSchema();
    runner = new ProjectionRunner(store, test.db, createSqlProjections({ schema: test.schema }), {
      checkpointSchema: test.schema,
      pollIntervalMs: 10,
    });
  });

  afterEach(async () => {
    await runner.stop();
    await test.db.query(`DROP SCHEMA IF EXISTS "${eventSchema}" CASCADE`);
  });

  async function append(streamName: string, ...events: DomainEvent[]): Promise<AppendResult> {
    return store.appendToStream(streamName, events.map(toNewEvent));
  }

  /** Appends a sender, an ON campaign and two targets, one of them SENT, and returns the last append result. */
  async function appendScenario(ids: { campaignId: string; senderId: string; sent: string; pending: string }): Promise<AppendResult> {
    const attemptId = newId('a');
    await append(streams.sender(ids.senderId), {
      type: 'SenderRegistered',
      data: { id: ids.senderId, name: 'Acme', senderId: 'ACME', kind: 'ALPHANUMERIC' },
    });
    await append(
      streams.campaign(ids.campaignId),
      campaignCreated(ids.campaignId, { senderId: ids.senderId }),
      statusToggled('ON', 'session-1'),
    );
    await append(
      streams.target(ids.sent),
      targetAdded(ids.sent, ids.campaignId),
      attemptStarted(attemptId, ids.campaignId),
      attempted(attemptId),
    );
    return append(streams.target(ids.pending), targetAdded(ids.pending, ids.campaignId));
  }

  describe('events appended to the store', () => {
    it('reach every view', async () => {
      const ids = { campaignId: newId('c'), senderId: newId('s'), sent: newId('t'), pending: newId('t') };
      const last = await appendScenario(ids);

      await runner.start();
      await runner.waitFor(last.position);

      const queries = new ReadModelQueries(test.db, { schema: test.schema });
      const campaign = await queries.campaigns.getCampaign(ids.campaignId);
      expect(await queries.senders.getSender(ids.senderId)).toMatchObject({ name: 'Acme' });
      expect(campaign).toMatchObject({ status: 'ON', sessionId: 'session-1', revision: 1 });
      expect(campaign?.counts).toEqual({ ...EMPTY_TARGET_COUNTS, pending: 1, sent: 1 });
      expect(await queries.targets.findDueTargets(ids.campaignId, new Date(), 10)).toEqual([
        expect.objectContaining({ id: ids.pending, revision: 0 }),
      ]);
    });
  });

  describe('a rebuild of the targets view', () => {
    it('restores the same counts', async () => {
      const ids = { campaignId: newId('c'), senderId: newId('s'), sent: newId('t'), pending: newId('t') };
      const last = await appendScenario(ids);
      await runner.start();
      await runner.waitFor(last.position);
      const queries = new ReadModelQueries(test.db, { schema: test.schema });
      const before = await queries.targets.countTargetsByStatus(ids.campaignId);

      await runner.rebuild(`${test.schema}.targets`);
      await runner.waitFor(last.position);

      expect(await queries.targets.countTargetsByStatus(ids.campaignId)).toEqual(before);
      expect(before).toEqual({ ...EMPTY_TARGET_COUNTS, pending: 1, sent: 1 });
      expect((await queries.targets.getTarget(ids.campaignId, ids.sent))?.attempts).toHaveLength(1);
    });
  });
});

function toNewEvent(event: DomainEvent): NewEvent {
  return {
    id: randomUUID(),
    type: event.type,
    data: event.data as JsonObject,
    metadata: {
      correlationId: randomUUID(),
      causationId: randomUUID(),
      actor: { id: 'service:test', role: 'service' },
      decidedAt: '2026-12-07T08:00:00.000Z',
    },
  };
}
