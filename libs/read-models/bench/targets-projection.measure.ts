/**
 * Measures the targets projection: 100,000 target events applied in batches of 500, one
 * transaction per batch, on PGlite (in memory) and on PostgreSQL. It is not part of `npm test`.
 * Run it from the repository root with
 *
 *   NODE_OPTIONS=--experimental-vm-modules npx jest --testMatch '<rootDir>/libs/read-models/bench/*.measure.ts'
 *
 * 25,000 targets over 10 campaigns each get TargetAdded, SmsAttemptStarted, SmsAttempted (SENT)
 * and SmsDeliveryReported. "by phase" projects all additions, then all starts, and so on, so that
 * a batch touches 500 targets. "by target" keeps each target's four events together.
 */
import { streams, TargetEvent } from '@sms/domain';
import type { RecordedEvent } from '@sms/event-store';
import { SqlClient } from '@sms/platform';
import { CampaignsProjection } from '../src/campaigns/campaigns.projection';
import { TargetsProjection } from '../src/targets/targets.projection';
import { attempted, attemptStarted, deliveryReported, targetAdded } from '../src/testing/domain-events';
import { EventLog } from '../src/testing/event-log';
import { TEST_DATABASES, useTestSchema } from '../src/testing/test-databases';

const TARGETS = 25_000;
const CAMPAIGNS = 10;
const BATCH_SIZE = 500;

describe.each(TEST_DATABASES)('targets projection throughput on $name', (database) => {
  const test = useTestSchema(database);

  it.each(['by phase', 'by target'] as const)('projects 100,000 events %s', async (order) => {
    const projection = new TargetsProjection({ schema: test.schema });
    await new CampaignsProjection({ schema: test.schema }).setup(test.db);
    await projection.setup(test.db);
    const events = buildEvents(order);

    const seconds = await timeBatches(test.db, projection, events);

    const rate = Math.round(events.length / seconds);
    process.stdout.write(`${database.name}, ${order}: ${events.length} events in ${seconds.toFixed(1)} s, ${rate} events/s\n`);
    const { rows } = await test.db.query<{ delivered: number }>(
      `SELECT sum(delivered)::integer AS delivered FROM "${test.schema}".campaigns`,
    );
    expect(rows[0].delivered).toBe(TARGETS);
  });
});

function buildEvents(order: 'by phase' | 'by target'): RecordedEvent[] {
  const log = new EventLog();
  const lifecycles: Array<Array<() => RecordedEvent>> = [];
  for (let index = 0; index < TARGETS; index += 1) {
    const targetId = `target-${index}`;
    const campaignId = `campaign-${index % CAMPAIGNS}`;
    const attemptId = `attempt-${index}`;
    const record = (event: TargetEvent) => () => log.record(streams.target(targetId), event);
    lifecycles.push([
      record(targetAdded(targetId, campaignId, { phoneNumber: `+3361${String(index).padStart(7, '0')}`, priority: 1 + (index % 10) })),
      record(attemptStarted(attemptId, campaignId)),
      record(attempted(attemptId, { providerMessageId: `message-${index}` })),
      record(deliveryReported(attemptId, `message-${index}`)),
    ]);
  }
  if (order === 'by target') {
    return lifecycles.flatMap((steps) => steps.map((step) => step()));
  }
  return [0, 1, 2, 3].flatMap((phase) => lifecycles.map((steps) => steps[phase]()));
}

async function timeBatches(db: SqlClient, projection: TargetsProjection, events: readonly RecordedEvent[]): Promise<number> {
  const started = process.hrtime.bigint();
  for (let offset = 0; offset < events.length; offset += BATCH_SIZE) {
    const batch = events.slice(offset, offset + BATCH_SIZE);
    await db.transaction((tx) => projection.project(batch, tx));
  }
  return Number(process.hrtime.bigint() - started) / 1e9;
}
