import type { DomainEvent } from '@sms/domain';
import type { RecordedEvent } from '@sms/event-store';
import type { ReadModelStore } from '../read-model-store.port';
import { attempted, attemptStarted, campaignCreated, statusToggled, targetAdded } from '../testing/domain-events';
import { EventLog, newId } from '../testing/event-log';

/** One empty read-model store for one test, and how to feed it events. */
export interface ReadModelStoreContractFixture {
  readonly store: ReadModelStore;
  /** Applies a batch to the campaigns and targets projections, as their runner does. */
  project(events: readonly RecordedEvent[]): Promise<void>;
  teardown(): Promise<void>;
}

/**
 * Checks the campaigns, targets, attempts and send-history queries, whose results every
 * read-model store must give identically for the same events. Call it with a factory that
 * returns a fresh, empty store per test.
 */
export function describeReadModelStoreContract(storeName: string, openFixture: () => Promise<ReadModelStoreContractFixture>): void {
  describe(`${storeName} read-model store contract`, () => {
    let fixture: ReadModelStoreContractFixture;
    let log: EventLog;

    beforeEach(async () => {
      fixture = await openFixture();
      await fixture.store.setUp();
      log = new EventLog();
    });

    afterEach(async () => {
      await fixture.teardown();
    });

    const record = (streamName: string, event: DomainEvent, decidedAt?: string) => log.record(streamName, event, decidedAt);

    describe('campaign list', () => {
      it('matches name, reference or alias regardless of case and accents', async () => {
        const first = newId('c');
        const second = newId('c');
        await fixture.project([
          record(`campaign-${first}`, campaignCreated(first, { name: 'Relance Été', reference: 'REF-1', alias: null })),
          record(`campaign-${second}`, campaignCreated(second, { name: 'Other', reference: 'REF-2', alias: 'rappel-ete' })),
        ]);

        const byName = await fixture.store.queries.campaigns.listCampaigns({ search: 'RELANCE ete' });
        const byAlias = await fixture.store.queries.campaigns.listCampaigns({ search: 'pel-été' });

        expect(byName.items.map((item) => item.id)).toEqual([first]);
        expect(byAlias.items.map((item) => item.id)).toEqual([second]);
      });

      it('filters by tags and status and pages newest first', async () => {
        const ids = [newId('c'), newId('c'), newId('c')];
        await fixture.project([
          record(`campaign-${ids[0]}`, campaignCreated(ids[0], { tags: ['vip'] }), '2026-12-01T08:00:00.000Z'),
          record(`campaign-${ids[1]}`, campaignCreated(ids[1], { tags: ['vip', 'fr'] }), '2026-12-02T08:00:00.000Z'),
          record(`campaign-${ids[2]}`, campaignCreated(ids[2], { tags: [] }), '2026-12-03T08:00:00.000Z'),
          record(`campaign-${ids[1]}`, statusToggled('ON', 'session-1')),
        ]);

        const tagged = await fixture.store.queries.campaigns.listCampaigns({ tags: ['vip'] });
        const on = await fixture.store.queries.campaigns.listCampaigns({ status: 'ON' });
        const secondPage = await fixture.store.queries.campaigns.listCampaigns({ page: 2, pageSize: 2 });

        expect(tagged.items.map((item) => item.id)).toEqual([ids[1], ids[0]]);
        expect(tagged.total).toBe(2);
        expect(on.items.map((item) => item.id)).toEqual([ids[1]]);
        expect(secondPage.items.map((item) => item.id)).toEqual([ids[0]]);
        expect(secondPage.total).toBe(3);
      });
    });

    describe('campaign details', () => {
      it('returns settings, status, session, revision and counts', async () => {
        const campaignId = newId('c');
        const targetId = newId('t');
        await fixture.project([
          record(`campaign-${campaignId}`, campaignCreated(campaignId, { name: 'Winter' })),
          record(`campaign-${campaignId}`, statusToggled('ON', 'session-9')),
          record(`target-${targetId}`, targetAdded(targetId, campaignId)),
        ]);

        const campaign = await fixture.store.queries.campaigns.getCampaign(campaignId);

        expect(campaign).toMatchObject({ id: campaignId, name: 'Winter', status: 'ON', sessionId: 'session-9', revision: 1 });
        expect(campaign?.counts.pending).toBe(1);
        expect(await fixture.store.queries.campaigns.getCampaign(newId('c'))).toBeNull();
      });
    });

    describe('targets and attempts', () => {
      it('lists targets in dispatch order and details a target with its attempts', async () => {
        const campaignId = newId('c');
        const [low, high, attemptedTarget] = [newId('t'), newId('t'), newId('t')];
        const attemptId = newId('a');
        await fixture.project([
          record(`campaign-${campaignId}`, campaignCreated(campaignId)),
          record(`target-${low}`, targetAdded(low, campaignId, { priority: 2 })),
          record(`target-${high}`, targetAdded(high, campaignId, { priority: 9, startDate: '2026-12-07T08:00:00.000Z' })),
          record(`target-${attemptedTarget}`, targetAdded(attemptedTarget, campaignId, { priority: 5 })),
          record(`target-${attemptedTarget}`, attemptStarted(attemptId, campaignId)),
          record(`target-${attemptedTarget}`, attempted(attemptId, { status: 'SENT', providerMessageId: 'provider-1' })),
        ]);

        const page = await fixture.store.queries.targets.listTargets(campaignId);
        const details = await fixture.store.queries.targets.getTarget(campaignId, attemptedTarget);
        const due = await fixture.store.queries.targets.findDueTargets(campaignId, '2026-12-07T10:00:00.000Z', 10);

        expect(page.items.map((item) => item.id)).toEqual([high, attemptedTarget, low]);
        expect(page.total).toBe(3);
        expect(details).toMatchObject({ id: attemptedTarget, status: 'SENT', revision: 2 });
        expect(details?.attempts).toMatchObject([{ id: attemptId, status: 'SENT', providerMessageId: 'provider-1' }]);
        expect(due.map((target) => target.id)).toEqual([high, low]);
      });

      it('lists sends newest first and finds receipts by provider message id', async () => {
        const campaignId = newId('c');
        const targetId = newId('t');
        const [first, second] = [newId('a'), newId('a')];
        await fixture.project([
          record(`target-${targetId}`, targetAdded(targetId, campaignId)),
          record(`target-${targetId}`, attemptStarted(first, campaignId, { startedAt: '2026-12-07T09:00:00.000Z' })),
          record(`target-${targetId}`, attempted(first, { status: 'FAILED', providerMessageId: null })),
          record(`target-${targetId}`, attemptStarted(second, campaignId, { attemptNumber: 2, startedAt: '2026-12-07T10:00:00.000Z' })),
          record(`target-${targetId}`, attempted(second, { status: 'SENT', providerMessageId: 'provider-2' })),
        ]);

        const sends = await fixture.store.queries.targets.listSends(campaignId, { from: '2026-12-07T08:00:00.000Z' });
        const receipts = await fixture.store.queries.targets.findReceiptTargets(['provider-2', 'unknown']);

        expect(sends.items.map((item) => item.attemptId)).toEqual([second, first]);
        expect(sends.total).toBe(2);
        expect(receipts).toMatchObject([{ providerMessageId: 'provider-2', attemptId: second, targetId, targetRevision: 4 }]);
      });
    });

    describe('a replayed batch', () => {
      it('changes neither documents nor counts', async () => {
        const campaignId = newId('c');
        const targetId = newId('t');
        const batch = [
          record(`campaign-${campaignId}`, campaignCreated(campaignId)),
          record(`target-${targetId}`, targetAdded(targetId, campaignId)),
          record(`campaign-${campaignId}`, statusToggled('ON', 'session-1')),
        ];
        await fixture.project(batch);

        await fixture.project(batch);

        const campaign = await fixture.store.queries.campaigns.getCampaign(campaignId);
        expect(campaign).toMatchObject({ status: 'ON', revision: 1 });
        expect(campaign?.counts.pending).toBe(1);
        expect(await fixture.store.queries.targets.countTargetsByStatus(campaignId)).toMatchObject({ pending: 1, inProgress: 0 });
      });
    });
  });
}
