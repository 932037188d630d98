import { DomainEvent, streams } from '@sms/domain';
import type { RecordedEvent } from '@sms/event-store';
import { MAX_IMPORT_ERRORS } from '../imports/imports.projection';
import type { OptOutQueryPort, ReadModelStore, ReporterQueryPort } from '../read-model-store.port';
import {
  attempted,
  attemptStarted,
  campaignCreated,
  deliveryReported,
  importCounts,
  rowErrors,
  statusToggled,
  targetAdded,
} from '../testing/domain-events';
import { EventLog, newId } from '../testing/event-log';
import {
  calendarCreated,
  optedIn,
  optedOut,
  optOutStreamOf,
  profileChanged,
  profileCreated,
  senderRegistered,
  templateCreated,
  testNumberKey,
} from './contract-events';

/** One empty read-model store for one test, and how to feed it events. */
export interface ReadModelStoreContractFixture {
  readonly store: ReadModelStore;
  /** The Reporter data source over the same database. */
  readonly reporter: ReporterQueryPort;
  /** Returns opt-out queries that look numbers up by `numberKey`, as the application runs them. */
  optOutsByKey(numberKey: (e164: string) => string): OptOutQueryPort;
  /** Applies a batch to every projection of the store in one transaction, as their runner does. */
  project(events: readonly RecordedEvent[]): Promise<void>;
  teardown(): Promise<void>;
}

/**
 * Checks every query of the read-model port and the Reporter data source, whose results every
 * read-model store must give identically, in the same order, for the same events. Call it with a
 * factory that returns a fresh, empty store per test.
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

      it('folds ligatures and compares tags regardless of case', async () => {
        const [oeuvre, promo] = [newId('c'), newId('c')];
        await fixture.project([
          record(`campaign-${oeuvre}`, campaignCreated(oeuvre, { name: 'Straße', reference: 'RÉF-Œuvre-42', alias: null })),
          record(`campaign-${promo}`, campaignCreated(promo, { name: 'Promo', reference: 'P-1', tags: ['Promo'] })),
        ]);

        const byReference = await fixture.store.queries.campaigns.listCampaigns({ search: 'ref-oeuvre' });
        const byName = await fixture.store.queries.campaigns.listCampaigns({ search: 'strasse' });
        const byTag = await fixture.store.queries.campaigns.listCampaigns({ tags: ['PROMO'] });

        expect(byReference.items.map((item) => item.id)).toEqual([oeuvre]);
        expect(byName.items.map((item) => item.id)).toEqual([oeuvre]);
        expect(byTag.items.map((item) => item.id)).toEqual([promo]);
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

    describe('senders', () => {
      it('returns a sender by id with its registration date', async () => {
        const id = newId('s');
        await fixture.project([record(streams.sender(id), senderRegistered(id, 'Service client', { throughputPerSecond: 20 }))]);

        expect(await fixture.store.queries.senders.getSender(id)).toEqual({
          id,
          name: 'Service client',
          senderId: 'ACME',
          kind: 'ALPHANUMERIC',
          throughputPerSecond: 20,
          revision: 0,
          registeredAt: '2026-12-07T08:00:00.000Z',
        });
        expect(await fixture.store.queries.senders.getSender(newId('s'))).toBeNull();
      });

      it('pages senders by name in code point order, replays included', async () => {
        const names = ['delta', 'Bravo', 'Écho', 'alpha', 'Charlie'];
        const events = names.map((name) => {
          const id = newId('s');
          return record(streams.sender(id), senderRegistered(id, name));
        });
        await fixture.project(events);
        await fixture.project(events);

        const first = await fixture.store.queries.senders.listSenders({ pageSize: 3 });
        const second = await fixture.store.queries.senders.listSenders({ page: 2, pageSize: 3 });

        expect(first.items.map((sender) => sender.name)).toEqual(['Bravo', 'Charlie', 'alpha']);
        expect(second.items.map((sender) => sender.name)).toEqual(['delta', 'Écho']);
        expect(second).toMatchObject({ total: 5, page: 2, pageSize: 3 });
        expect(first.items[0]).toMatchObject({ throughputPerSecond: null, revision: 0 });
      });
    });

    describe('templates', () => {
      it('returns a template by id and lists templates by name', async () => {
        const [first, second] = [newId('tp'), newId('tp')];
        await fixture.project([
          record(streams.template(first), templateCreated(first, 'Rappel')),
          record(streams.template(second), templateCreated(second, 'Confirmation')),
        ]);

        const list = await fixture.store.queries.templates.listTemplates();

        expect(await fixture.store.queries.templates.getTemplate(first)).toEqual({
          id: first,
          name: 'Rappel',
          body: 'Bonjour {{firstName}}, votre rendez-vous est confirmé.',
          language: 'fr',
          placeholders: ['firstName'],
          encoding: 'UCS-2',
          characters: 52,
          segments: 1,
          revision: 0,
          createdAt: '2026-12-07T08:00:00.000Z',
        });
        expect(list.items.map((template) => template.id)).toEqual([second, first]);
        expect(list.total).toBe(2);
        expect(await fixture.store.queries.templates.getTemplate(newId('tp'))).toBeNull();
      });
    });

    describe('calendars', () => {
      it('returns a calendar with its rules and lists calendars by name', async () => {
        const [first, second] = [newId('cal'), newId('cal')];
        await fixture.project([
          record(streams.calendar(first), calendarCreated(first, 'Paris office')),
          record(streams.calendar(second), calendarCreated(second, 'Lyon office')),
        ]);

        const list = await fixture.store.queries.calendars.listCalendars({ pageSize: 1 });

        expect(await fixture.store.queries.calendars.getCalendar(first)).toEqual({
          id: first,
          name: 'Paris office',
          timeZone: 'Europe/Paris',
          openingHours: [
            { day: 'MON', from: '09:00', to: '12:00' },
            { day: 'MON', from: '14:00', to: '18:00' },
          ],
          closedDates: ['2026-12-25'],
          publicHolidays: 'FR',
          revision: 0,
          createdAt: '2026-12-07T08:00:00.000Z',
        });
        expect(list.items.map((calendar) => calendar.id)).toEqual([second]);
        expect(list.total).toBe(2);
        expect(await fixture.store.queries.calendars.getCalendar(newId('cal'))).toBeNull();
      });
    });

    describe('profiles', () => {
      it('applies a change and ignores a replayed creation', async () => {
        const [advisors, managers] = [newId('p'), newId('p')];
        const created = record(streams.profile(advisors), profileCreated(advisors, 'Advisors', false));
        await fixture.project([
          created,
          record(streams.profile(managers), profileCreated(managers, 'Managers', true)),
          record(streams.profile(advisors), profileChanged('Senior advisors', true)),
        ]);
        await fixture.project([created]);

        const list = await fixture.store.queries.profiles.listProfiles();

        expect(await fixture.store.queries.profiles.getProfile(advisors)).toEqual({
          id: advisors,
          name: 'Senior advisors',
          manageCampaign: true,
          revision: 1,
        });
        expect(list.items.map((profile) => profile.name)).toEqual(['Managers', 'Senior advisors']);
        expect(list.total).toBe(2);
        expect(await fixture.store.queries.profiles.getProfile(newId('p'))).toBeNull();
      });
    });

    describe('Banner list', () => {
      it('lists by name the campaigns of profiles that may manage campaigns', async () => {
        const [managing, viewing] = [newId('p'), newId('p')];
        const [zulu, alpha, hidden, unassigned] = [newId('c'), newId('c'), newId('c'), newId('c')];
        await fixture.project([
          record(streams.profile(managing), profileCreated(managing, 'Managers', true)),
          record(streams.profile(viewing), profileCreated(viewing, 'Viewers', false)),
          record(streams.campaign(zulu), campaignCreated(zulu, { name: 'Zulu' })),
          record(streams.campaign(zulu), { type: 'CampaignProfilesAssigned', data: { profileIds: [managing, viewing] } }),
          record(streams.campaign(alpha), campaignCreated(alpha, { name: 'Alpha' })),
          record(streams.campaign(alpha), { type: 'CampaignProfilesAssigned', data: { profileIds: [managing] } }),
          record(streams.campaign(hidden), campaignCreated(hidden, { name: 'Hidden' })),
          record(streams.campaign(hidden), { type: 'CampaignProfilesAssigned', data: { profileIds: [viewing] } }),
          record(streams.campaign(unassigned), campaignCreated(unassigned, { name: 'Unassigned' })),
        ]);

        const banner = await fixture.store.queries.campaigns.listBannerCampaigns([managing, viewing, newId('p')]);

        expect(banner.map((campaign) => campaign.id)).toEqual([alpha, zulu]);
        expect(banner[0]).toMatchObject({ name: 'Alpha', status: 'OFF', tags: [] });
        expect(await fixture.store.queries.campaigns.listBannerCampaigns([viewing])).toEqual([]);
        expect(await fixture.store.queries.campaigns.listBannerCampaigns([])).toEqual([]);

        const firstPage = await fixture.store.queries.campaigns.listBannerCampaignPage([managing], { page: 1, pageSize: 1 });
        const secondPage = await fixture.store.queries.campaigns.listBannerCampaignPage([managing], { page: 2, pageSize: 1 });
        expect(firstPage).toMatchObject({ total: 2, page: 1, pageSize: 1 });
        expect(firstPage.items.map((campaign) => campaign.id)).toEqual([alpha]);
        expect(secondPage.items.map((campaign) => campaign.id)).toEqual([zulu]);
        expect(await fixture.store.queries.campaigns.listBannerCampaignPage([], {})).toMatchObject({ items: [], total: 0 });
      });

      it('sorts names ignoring letter case and accents', async () => {
        const profile = newId('p');
        const names = ['Zeta', 'alpha', 'Émile', 'beta', 'Alpha'];
        const ids = names.map(() => newId('c'));
        await fixture.project([
          record(streams.profile(profile), profileCreated(profile, 'Managers', true)),
          ...names.flatMap((name, index) => [
            record(streams.campaign(ids[index]), campaignCreated(ids[index], { name, reference: 'REF' })),
            record(streams.campaign(ids[index]), { type: 'CampaignProfilesAssigned', data: { profileIds: [profile] } }),
          ]),
        ]);
        const [alphaIds, others] = [[ids[1], ids[4]].sort(), ['beta', 'Émile', 'Zeta']];

        const banner = await fixture.store.queries.campaigns.listBannerCampaigns([profile]);
        const secondPage = await fixture.store.queries.campaigns.listBannerCampaignPage([profile], { page: 2, pageSize: 2 });

        // The two names that fold to 'alpha' come first, in id order.
        expect(banner.map((campaign) => campaign.id).slice(0, 2)).toEqual(alphaIds);
        expect(banner.map((campaign) => campaign.name).slice(2)).toEqual(others);
        expect(secondPage.items.map((campaign) => campaign.name)).toEqual(['beta', 'Émile']);
      });
    });

    describe('imports', () => {
      it('keeps the first errors up to the maximum', async () => {
        const importId = newId('i');
        const campaignId = newId('c');
        const stream = streams.import(importId);
        const started = record(stream, {
          type: 'ImportStarted',
          data: { importId, campaignId, source: 'csv', startedAt: '2026-12-07T08:00:00.000Z' },
        });
        const progress = record(stream, {
          type: 'ImportProgressed',
          data: { ...importCounts(MAX_IMPORT_ERRORS - 1, 0, 0, MAX_IMPORT_ERRORS - 1), errors: rowErrors(2, MAX_IMPORT_ERRORS - 1) },
        });
        await fixture.project([started, progress]);
        await fixture.project([progress]);
        await fixture.project([
          record(stream, {
            type: 'ImportProgressed',
            data: { ...importCounts(MAX_IMPORT_ERRORS + 2, 1, 0, MAX_IMPORT_ERRORS + 1), errors: rowErrors(MAX_IMPORT_ERRORS + 1, 2) },
          }),
          record(stream, {
            type: 'ImportCompleted',
            data: { ...importCounts(MAX_IMPORT_ERRORS + 2, 1, 0, MAX_IMPORT_ERRORS + 1), completedAt: '2026-12-07T08:05:00.000Z' },
          }),
        ]);

        const view = await fixture.store.queries.imports.getImport(importId);

        expect(view).toMatchObject({
          id: importId,
          campaignId,
          source: 'csv',
          status: 'DONE',
          processed: MAX_IMPORT_ERRORS + 2,
          imported: 1,
          duplicates: 0,
          rejected: MAX_IMPORT_ERRORS + 1,
          errorsTruncated: true,
          reason: null,
          startedAt: '2026-12-07T08:00:00.000Z',
          endedAt: '2026-12-07T08:05:00.000Z',
          revision: 3,
        });
        expect(view?.errors).toHaveLength(MAX_IMPORT_ERRORS);
        expect(view?.errors[0]).toEqual({ line: 2, value: '00', reason: 'phoneNumber is not a valid number for FR' });
        expect(view?.errors.at(-1)?.line).toBe(MAX_IMPORT_ERRORS + 1);
      });

      it('records a failure with its reason and every rejected row under the maximum', async () => {
        const importId = newId('i');
        const stream = streams.import(importId);
        await fixture.project([
          record(stream, {
            type: 'ImportStarted',
            data: { importId, campaignId: newId('c'), source: 'crm', startedAt: '2026-12-07T08:00:00.000Z' },
          }),
          record(stream, { type: 'ImportProgressed', data: { ...importCounts(5, 3, 0, 2), errors: rowErrors(4, 2) } }),
          record(stream, {
            type: 'ImportFailed',
            data: { ...importCounts(5, 3, 0, 2), reason: 'the CRM timed out', failedAt: '2026-12-07T08:01:00.000Z' },
          }),
        ]);

        const view = await fixture.store.queries.imports.getImport(importId);

        expect(view).toMatchObject({
          status: 'FAILED',
          reason: 'the CRM timed out',
          errorsTruncated: false,
          endedAt: '2026-12-07T08:01:00.000Z',
        });
        expect(view?.errors.map((error) => error.line)).toEqual([4, 5]);
        expect(await fixture.store.queries.imports.getImport(newId('i'))).toBeNull();
      });
    });

    describe('opt-outs', () => {
      it('lists numbers newest first and finds them in a batch', async () => {
        const [first, second, optedBackIn] = ['+33600000001', '+33600000002', '+33600000003'];
        const campaignId = newId('c');
        const batch = [
          record(optOutStreamOf(first), optedOut(first, '2026-12-07T08:00:00.000Z', { campaignId })),
          record(optOutStreamOf(second), optedOut(second, '2026-12-07T09:00:00.000Z', { source: 'MAKER', keyword: null })),
          record(optOutStreamOf(optedBackIn), optedOut(optedBackIn, '2026-12-07T10:00:00.000Z')),
          record(optOutStreamOf(optedBackIn), optedIn(optedBackIn, '2026-12-07T11:00:00.000Z')),
        ];
        await fixture.project(batch);
        await fixture.project(batch);

        const list = await fixture.store.queries.optOuts.listOptOuts();
        const byPhone = await fixture.store.queries.optOuts.listOptOuts({ phone: first });
        const found = await fixture.store.queries.optOuts.findOptedOut([first, optedBackIn, '+33600000009', first]);

        expect(list.items).toEqual([
          { phoneNumber: second, since: '2026-12-07T09:00:00.000Z', source: 'MAKER', keyword: null, campaignId: null },
          { phoneNumber: first, since: '2026-12-07T08:00:00.000Z', source: 'REPLY', keyword: 'STOP', campaignId },
        ]);
        expect(list.total).toBe(2);
        expect(byPhone.items.map((item) => item.phoneNumber)).toEqual([first]);
        expect(byPhone.total).toBe(1);
        expect([...found]).toEqual([first]);
        expect(await fixture.store.queries.optOuts.findOptedOut([])).toEqual(new Set());
      });

      it('keeps an erased number blocked by its key', async () => {
        const number = '+33600000004';
        await fixture.project([
          record(optOutStreamOf(number), optedOut(number, '2026-12-07T08:00:00.000Z')),
          record(optOutStreamOf(number), { type: 'OptOutErased', data: { at: '2026-12-08T08:00:00.000Z' } }),
        ]);
        const byKey = fixture.optOutsByKey(testNumberKey);

        const list = await byKey.listOptOuts({ phone: number });

        expect(list.items).toMatchObject([{ phoneNumber: null, since: '2026-12-07T08:00:00.000Z' }]);
        expect([...(await byKey.findOptedOut([number, '+33600000005']))]).toEqual([number]);
        expect(await fixture.store.queries.optOuts.findOptedOut([number])).toEqual(new Set());
      });
    });

    describe('reply origins', () => {
      it('finds the latest accepted attempt to a number with its chat flow', async () => {
        const campaignId = newId('c');
        const [targetId, otherTargetId] = [newId('t'), newId('t')];
        const [accepted, newerAccepted, rejected] = [newId('a'), newId('a'), newId('a')];
        const number = '+33611112222';
        await fixture.project([
          record(streams.campaign(campaignId), campaignCreated(campaignId, { chatFlow: { enabled: true, flowId: 'flow-7' } })),
          record(streams.target(targetId), targetAdded(targetId, campaignId, { phoneNumber: number })),
          record(streams.target(targetId), attemptStarted(accepted, campaignId, { startedAt: '2026-12-07T09:00:00.000Z' })),
          record(streams.target(targetId), attempted(accepted, { status: 'SENT', providerMessageId: 'provider-a' })),
          record(streams.target(otherTargetId), targetAdded(otherTargetId, campaignId, { phoneNumber: number })),
          record(
            streams.target(otherTargetId),
            attemptStarted(newerAccepted, campaignId, { startedAt: '2026-12-07T10:00:00.000Z', sessionId: 'session-2' }),
          ),
          record(
            streams.target(otherTargetId),
            attempted(newerAccepted, { status: 'SENT', providerMessageId: 'provider-b', sessionId: 'session-2' }),
          ),
          record(
            streams.target(otherTargetId),
            attemptStarted(rejected, campaignId, { attemptNumber: 2, startedAt: '2026-12-07T11:00:00.000Z' }),
          ),
          record(streams.target(otherTargetId), attempted(rejected, { status: 'FAILED', providerMessageId: null })),
        ]);

        const origin = await fixture.store.queries.replyOrigins.findReplyOrigin(number);

        expect(origin).toEqual({
          attemptId: newerAccepted,
          targetId: otherTargetId,
          campaignId,
          sessionId: 'session-2',
          chatFlow: { enabled: true, flowId: 'flow-7' },
        });
        expect(await fixture.store.queries.replyOrigins.findReplyOrigin('+33699999999')).toBeNull();
      });

      it('returns no chat flow once the campaign is deleted', async () => {
        const campaignId = newId('c');
        const targetId = newId('t');
        const attemptId = newId('a');
        const number = '+33611113333';
        await fixture.project([
          record(streams.campaign(campaignId), campaignCreated(campaignId)),
          record(streams.target(targetId), targetAdded(targetId, campaignId, { phoneNumber: number })),
          record(streams.target(targetId), attemptStarted(attemptId, campaignId)),
          record(streams.target(targetId), attempted(attemptId, { providerMessageId: 'provider-c' })),
          record(streams.campaign(campaignId), { type: 'CampaignDeleted', data: { id: campaignId } }),
        ]);

        expect(await fixture.store.queries.replyOrigins.findReplyOrigin(number)).toMatchObject({ attemptId, chatFlow: null });
      });
    });

    describe('Reporter data source', () => {
      it('pages attempts with a cursor', async () => {
        const campaignId = newId('c');
        const events: RecordedEvent[] = [record(streams.campaign(campaignId), campaignCreated(campaignId, { name: 'Spring' }))];
        const attemptIds: string[] = [];
        for (let index = 0; index < 5; index += 1) {
          const targetId = newId('t');
          const attemptId = `a${index}${newId('')}`;
          attemptIds.push(attemptId);
          // Three attempts share one start instant, so the id breaks the tie.
          const startedAt = index < 3 ? '2026-12-07T09:00:00.000Z' : `2026-12-07T09:0${index}:00.000Z`;
          events.push(
            record(streams.target(targetId), targetAdded(targetId, campaignId)),
            record(streams.target(targetId), attemptStarted(attemptId, campaignId, { startedAt })),
          );
        }
        await fixture.project(events);

        const first = await fixture.reporter.listAttempts({ campaignId, limit: 2 });
        const last = first.at(-1);
        const second = await fixture.reporter.listAttempts({
          campaignId,
          after: { startedAt: last?.startedAt ?? '', attemptId: last?.attemptId ?? '' },
          limit: 10,
        });

        expect(first.map((row) => row.attemptId)).toEqual(attemptIds.slice(0, 2));
        expect(second.map((row) => row.attemptId)).toEqual(attemptIds.slice(2));
        expect(first[0]).toMatchObject({ campaignId, campaignName: 'Spring', status: 'IN_PROGRESS', phoneNumber: '+33612345678' });
        expect(await fixture.reporter.listAttempts({ campaignId, limit: 0 })).toEqual([]);
      });

      it('filters by session and start time and shows each outcome', async () => {
        const campaignId = newId('c');
        const targetId = newId('t');
        const [early, failed, delivered] = [newId('a'), newId('a'), newId('a')];
        await fixture.project([
          record(streams.target(targetId), targetAdded(targetId, campaignId)),
          record(streams.target(targetId), attemptStarted(early, campaignId, { startedAt: '2026-12-07T07:00:00.000Z' })),
          record(streams.target(targetId), attempted(early, { status: 'SENT', providerMessageId: 'provider-early' })),
          record(streams.target(targetId), attemptStarted(failed, campaignId, { attemptNumber: 2, startedAt: '2026-12-07T09:00:00.000Z' })),
          record(
            streams.target(targetId),
            attempted(failed, {
              status: 'FAILED',
              providerMessageId: null,
              error: { code: 'THROTTLED', reason: 'too many messages', transient: false },
              segments: null,
              encoding: null,
            }),
          ),
          record(
            streams.target(targetId),
            attemptStarted(delivered, campaignId, { attemptNumber: 3, sessionId: 'session-2', startedAt: '2026-12-07T10:00:00.000Z' }),
          ),
          record(streams.target(targetId), attempted(delivered, { sessionId: 'session-2', providerMessageId: 'provider-d', segments: 2 })),
          record(streams.target(targetId), deliveryReported(delivered, 'provider-d', { doneAt: '2026-12-07T10:00:05.000Z' })),
          record(streams.target(targetId), { type: 'TargetDeleted', data: { at: '2026-12-08T08:00:00.000Z', cancelled: false } }),
        ]);

        const rows = await fixture.reporter.listAttempts({
          campaignId,
          sessionId: 'session-1',
          from: '2026-12-07T08:00:00.000Z',
          limit: 10,
        });
        const later = await fixture.reporter.listAttempts({
          from: '2026-12-07T09:30:00.000Z',
          to: '2026-12-07T10:30:00.000Z',
          campaignId,
          limit: 10,
        });

        expect(rows).toEqual([
          {
            campaignId,
            campaignName: null,
            sessionId: 'session-1',
            targetId,
            attemptId: failed,
            attemptNumber: 2,
            phoneNumber: null,
            status: 'FAILED',
            startedAt: '2026-12-07T09:00:00.000Z',
            endedAt: '2026-12-07T09:00:02.000Z',
            segments: null,
            encoding: null,
            providerMessageId: null,
            errorCode: 'THROTTLED',
            errorReason: 'too many messages',
          },
        ]);
        expect(later).toMatchObject([
          { attemptId: delivered, status: 'DELIVERED', segments: 2, encoding: 'GSM-7', providerMessageId: 'provider-d' },
        ]);
      });

      it('counts attempts per status and session, oldest session first', async () => {
        const campaignId = newId('c');
        const events: RecordedEvent[] = [];
        const attempts = [
          { sessionId: 'session-b', startedAt: '2026-12-07T10:00:00.000Z', status: 'SENT', segments: 2 },
          { sessionId: 'session-b', startedAt: '2026-12-07T11:00:00.000Z', status: 'FAILED', segments: null },
          { sessionId: 'session-a', startedAt: '2026-12-07T09:00:00.000Z', status: 'SENT', segments: 1 },
          { sessionId: 'session-a', startedAt: '2026-12-07T09:30:00.000Z', status: 'SENT', segments: 3 },
        ] as const;
        for (const attempt of attempts) {
          const targetId = newId('t');
          const attemptId = newId('a');
          const providerMessageId = attempt.status === 'SENT' ? `provider-${attemptId}` : null;
          events.push(
            record(streams.target(targetId), targetAdded(targetId, campaignId)),
            record(
              streams.target(targetId),
              attemptStarted(attemptId, campaignId, { sessionId: attempt.sessionId, startedAt: attempt.startedAt }),
            ),
            record(
              streams.target(targetId),
              attempted(attemptId, { sessionId: attempt.sessionId, status: attempt.status, providerMessageId, segments: attempt.segments }),
            ),
          );
        }
        await fixture.project(events);

        const counters = await fixture.reporter.countAttempts(campaignId);
        const oneSession = await fixture.reporter.countAttempts(campaignId, 'session-b');

        expect(counters).toEqual({
          campaignId,
          attempts: 4,
          byStatus: { SENT: 3, FAILED: 1 },
          segments: 6,
          firstStartedAt: '2026-12-07T09:00:00.000Z',
          lastStartedAt: '2026-12-07T11:00:00.000Z',
          sessions: [
            {
              sessionId: 'session-a',
              attempts: 2,
              byStatus: { SENT: 2 },
              segments: 4,
              firstStartedAt: '2026-12-07T09:00:00.000Z',
              lastStartedAt: '2026-12-07T09:30:00.000Z',
            },
            {
              sessionId: 'session-b',
              attempts: 2,
              byStatus: { SENT: 1, FAILED: 1 },
              segments: 2,
              firstStartedAt: '2026-12-07T10:00:00.000Z',
              lastStartedAt: '2026-12-07T11:00:00.000Z',
            },
          ],
        });
        expect(oneSession.sessions.map((session) => session.sessionId)).toEqual(['session-b']);
        expect(oneSession.attempts).toBe(2);
        expect(await fixture.reporter.countAttempts(newId('c'))).toMatchObject({ attempts: 0, sessions: [], firstStartedAt: null });
      });
    });
  });
}
