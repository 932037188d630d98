import { randomUUID } from 'node:crypto';
import { DomainEvent, streams } from '@sms/domain';
import { JsonObject, NewEvent, ProjectionRunner, SqlEventStore } from '@sms/event-store';
import { createSqlProjections } from '../projections';
import { attempted, attemptStarted, campaignCreated, deliveryReported, statusToggled, targetAdded } from '../testing/domain-events';
import { newId } from '../testing/event-log';
import { TEST_DATABASES, useTestSchema } from '../testing/test-databases';
import { isIdentical, verifyReplay } from './read-model-diff';
import { ReadModelReplay } from './read-model-replay';

describe.each(TEST_DATABASES)('read model replay on $name', (database) => {
  const test = useTestSchema(database);
  let store: SqlEventStore;
  let live: ProjectionRunner;
  let replay: ReadModelReplay;

  beforeEach(async () => {
    store = new SqlEventStore(test.db, { schema: `${test.schema}_events` });
    await store.ensureSchema();
    live = new ProjectionRunner(store, test.db, createSqlProjections({ schema: test.schema }), {
      checkpointSchema: test.schema,
      pollIntervalMs: 10,
    });
    await live.start();
    // Small batches, so that the replay crosses batch boundaries inside target streams.
    replay = new ReadModelReplay(store, test.db, `${test.schema}_replay`, 7);
  });

  afterEach(async () => {
    await live.stop();
    await replay.drop();
    await test.db.query(`DROP SCHEMA IF EXISTS "${test.schema}_events" CASCADE`);
  });

  async function append(streamName: string, ...events: DomainEvent[]): Promise<void> {
    await store.appendToStream(streamName, events.map(toNewEvent));
  }

  /** Appends a campaign with one session, ten targets, eight of them attempted and half of those delivered. */
  async function populate(): Promise<string> {
    const campaignId = newId('c');
    await append(streams.campaign(campaignId), campaignCreated(campaignId, { name: 'Relance été' }), statusToggled('ON', 'session-1'));
    for (let index = 0; index < 10; index += 1) {
      const targetId = newId('t');
      const attemptId = newId('a');
      const events: DomainEvent[] = [targetAdded(targetId, campaignId, { phoneNumber: `+3361234560${index}` })];
      if (index < 8) {
        events.push(attemptStarted(attemptId, campaignId, { startedAt: `2026-12-07T09:00:0${index}.000Z` }), attempted(attemptId));
      }
      if (index < 4) {
        events.push(deliveryReported(attemptId, `provider-${attemptId}`));
      }
      await append(streams.target(targetId), ...events);
    }
    return campaignId;
  }

  it('verify finds no difference on a populated store', async () => {
    await populate();
    // Send slots that a scheduler booked live in the same schema but are no view of the events.
    await test.db.query(`CREATE TABLE "${test.schema}".throughput_slots (limit_key text, slot bigint)`);
    await test.db.query(`INSERT INTO "${test.schema}".throughput_slots VALUES ('campaign:c1', 1)`);
    await replay.setUp();

    const outcome = await verifyReplay(test.db, replay, { liveSchema: test.schema, settleTimeoutMs: 20_000 });

    expect(outcome.identical).toBe(true);
    const attempts = outcome.tables.find((table) => table.table === 'attempts');
    expect(attempts).toMatchObject({ liveRows: 8, replayRows: 8, onlyInLive: 0, onlyInReplay: 0, differing: 0 });
    expect(outcome.tables.map((table) => table.table)).toEqual(expect.arrayContaining(['campaigns', 'targets', 'attempts']));
    expect(outcome.tables.map((table) => table.table)).not.toContain('projection_checkpoints');
    expect(outcome.tables.map((table) => table.table)).not.toContain('throughput_slots');
  });

  it('verify reports a tampered live row', async () => {
    await populate();
    await replay.setUp();
    await verifyReplay(test.db, replay, { liveSchema: test.schema, settleTimeoutMs: 20_000 });
    const { rows } = await test.db.query<{ attempt_id: string }>(
      `SELECT attempt_id FROM "${test.schema}".attempts ORDER BY attempt_id LIMIT 1`,
    );
    await test.db.query(`UPDATE "${test.schema}".attempts SET status = 'FAILED' WHERE attempt_id = $1`, [rows[0].attempt_id]);
    await test.db.query(`DELETE FROM "${test.schema}".targets WHERE id = (SELECT min(id) FROM "${test.schema}".targets)`);

    const outcome = await verifyReplay(test.db, replay, { liveSchema: test.schema, settleTimeoutMs: 20_000 });

    expect(outcome.identical).toBe(false);
    const attempts = outcome.tables.find((table) => table.table === 'attempts');
    expect(attempts).toMatchObject({ differing: 1, onlyInLive: 0, onlyInReplay: 0 });
    expect(attempts?.samples.differing).toEqual([JSON.stringify([rows[0].attempt_id])]);
    const targets = outcome.tables.find((table) => table.table === 'targets');
    expect(targets).toMatchObject({ onlyInReplay: 1, onlyInLive: 0, differing: 0 });
    expect(outcome.tables.filter((table) => !isIdentical(table)).map((table) => table.table)).toEqual(['attempts', 'targets']);
  });

  it('replay catches up with events appended after it ran', async () => {
    await populate();
    await replay.setUp();
    await replay.catchUp();
    await populate();

    const outcome = await verifyReplay(test.db, replay, { liveSchema: test.schema, settleTimeoutMs: 20_000 });

    expect(outcome.identical).toBe(true);
    expect(outcome.tables.find((table) => table.table === 'targets')).toMatchObject({ liveRows: 20, replayRows: 20 });
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
