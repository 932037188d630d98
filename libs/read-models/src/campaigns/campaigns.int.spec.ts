import { streams } from '@sms/domain';
import { campaignCreated, statusToggled } from '../testing/domain-events';
import { EventLog, newId, projectBatch, setUpProjections } from '../testing/event-log';
import { TEST_DATABASES, useTestSchema } from '../testing/test-databases';
import { CampaignsProjection } from './campaigns.projection';
import { CampaignQueries } from './campaigns.queries';
import { EMPTY_TARGET_COUNTS } from './target-counts';

describe.each(TEST_DATABASES)('campaigns view on $name', (database) => {
  const test = useTestSchema(database);
  let projection: CampaignsProjection;
  let queries: CampaignQueries;
  let log: EventLog;

  beforeEach(async () => {
    projection = new CampaignsProjection({ schema: test.schema });
    queries = new CampaignQueries(test.db, { schema: test.schema });
    log = new EventLog();
    await setUpProjections(test.db, [projection]);
  });

  function create(id: string, settings: Parameters<typeof campaignCreated>[1] = {}) {
    return log.record(streams.campaign(id), campaignCreated(id, settings));
  }

  describe('a created campaign', () => {
    it('returns every setting, status OFF, no session and zero counts', async () => {
      const id = newId('c');
      const created = campaignCreated(id, { name: 'Relance', tags: ['vip'] });
      await projectBatch(test.db, [projection], [log.record(streams.campaign(id), created)]);

      const campaign = await queries.getCampaign(id);

      const { id: _, ...settings } = created.data;
      expect(campaign).toEqual({
        id,
        ...settings,
        status: 'OFF',
        sessionId: null,
        profileIds: [],
        layouts: [],
        copiedFrom: null,
        counts: EMPTY_TARGET_COUNTS,
        revision: 0,
        createdAt: '2026-12-07T08:00:00.000Z',
      });
    });

    it('shows the layouts and the source of a copy, and ignores a replayed layouts event', async () => {
      const id = newId('c');
      const layouts = [{ name: 'relance', fields: [{ key: 'firstName', label: 'Prénom', type: 'string' as const }] }];
      const copied = campaignCreated(id, { name: 'Relance (copy)' });
      const events = [
        log.record(streams.campaign(id), { ...copied, data: { ...copied.data, copiedFrom: 'c-source' } }),
        log.record(streams.campaign(id), { type: 'TargetLayoutsDefined', data: { layouts } }),
      ];
      await projectBatch(test.db, [projection], events);
      await projectBatch(test.db, [projection], events);

      const campaign = await queries.getCampaign(id);

      expect(campaign).toMatchObject({ layouts, copiedFrom: 'c-source', revision: 1 });
    });

    it('takes the status, session and revision of the latest toggle', async () => {
      const id = newId('c');
      await projectBatch(
        test.db,
        [projection],
        [
          create(id),
          log.record(streams.campaign(id), statusToggled('ON', 'session-1')),
          log.record(streams.campaign(id), statusToggled('OFF', 'session-1')),
          log.record(streams.campaign(id), statusToggled('ON', 'session-2')),
        ],
      );

      const campaign = await queries.getCampaign(id);

      expect(campaign?.status).toBe('ON');
      expect(campaign?.sessionId).toBe('session-2');
      expect(campaign?.revision).toBe(3);
    });

    it('returns null for an unknown id', async () => {
      expect(await queries.getCampaign(newId('c'))).toBeNull();
    });
  });

  describe('a batch projected twice', () => {
    it('leaves the campaign as the first pass left it', async () => {
      const id = newId('c');
      const batch = [create(id), log.record(streams.campaign(id), statusToggled('ON', 'session-1'))];
      await projectBatch(test.db, [projection], batch);
      const once = await queries.getCampaign(id);

      await projectBatch(test.db, [projection], batch);

      expect(await queries.getCampaign(id)).toEqual(once);
    });

    it('does not undo a later toggle when an older one is replayed', async () => {
      const id = newId('c');
      const turnedOn = log.record(streams.campaign(id), statusToggled('ON', 'session-1'));
      const events = [create(id), turnedOn, log.record(streams.campaign(id), statusToggled('OFF', 'session-1'))];
      await projectBatch(test.db, [projection], events);

      await projectBatch(test.db, [projection], [turnedOn]);

      expect((await queries.getCampaign(id))?.status).toBe('OFF');
    });
  });

  describe('an event type the view does not read', () => {
    it('still moves the revision', async () => {
      const id = newId('c');
      const renamed = { type: 'CampaignRenamed', data: { name: 'Other' } };
      await projectBatch(test.db, [projection], [create(id), log.record(streams.campaign(id), renamed)]);

      const campaign = await queries.getCampaign(id);

      expect(campaign?.revision).toBe(1);
      expect(campaign?.name).toBe('Winter reminders');
    });
  });

  describe('campaign list search', () => {
    it('matches part of the name, reference or alias regardless of case and accents', async () => {
      const summer = newId('c');
      const stock = newId('c');
      await projectBatch(
        test.db,
        [projection],
        [
          create(summer, { name: 'Relance Été 2026', reference: 'REL-ETE', alias: 'Élan' }),
          create(stock, { name: 'Stock clearance', reference: 'STK-1', alias: null }),
        ],
      );

      const idsFor = async (search: string) => (await queries.listCampaigns({ search })).items.map((item) => item.id);

      expect(await idsFor('été')).toEqual([summer]);
      expect(await idsFor('ETE')).toEqual([summer]);
      expect(await idsFor('relance ete')).toEqual([summer]);
      expect(await idsFor('rel-')).toEqual([summer]);
      expect(await idsFor('elan')).toEqual([summer]);
      expect(await idsFor('CLEAR')).toEqual([stock]);
      expect(await idsFor('stk-1')).toEqual([stock]);
      expect(await idsFor('nothing like it')).toEqual([]);
    });

    it('matches ligatures and ß spelled out, in either case', async () => {
      const oeuvre = newId('c');
      const aegis = newId('c');
      await projectBatch(
        test.db,
        [projection],
        [
          create(oeuvre, { name: 'Chef-d’œuvre', reference: 'RÉF-Œuvre-42', alias: null }),
          create(aegis, { name: 'Ægide', reference: 'GROẞ-1', alias: 'Straße' }),
        ],
      );

      const idsFor = async (search: string) => (await queries.listCampaigns({ search })).items.map((item) => item.id);

      expect(await idsFor('ref-oeuvre')).toEqual([oeuvre]);
      expect(await idsFor('RÉF-Œuvre-42')).toEqual([oeuvre]);
      expect(await idsFor('d’oeuvre')).toEqual([oeuvre]);
      expect(await idsFor('aegide')).toEqual([aegis]);
      expect(await idsFor('æ')).toEqual([aegis]);
      expect(await idsFor('gross-1')).toEqual([aegis]);
      expect(await idsFor('STRASSE')).toEqual([aegis]);
      expect(await idsFor('straße')).toEqual([aegis]);
    });

    it('treats % and _ in the search as plain characters', async () => {
      const percent = newId('c');
      await projectBatch(
        test.db,
        [projection],
        [create(percent, { name: '50% off' }), create(newId('c'), { name: '50 percent off' }), create(newId('c'), { name: 'a_b' })],
      );

      const items = (await queries.listCampaigns({ search: '50%' })).items;
      const underscores = (await queries.listCampaigns({ search: '_' })).items;

      expect(items.map((item) => item.id)).toEqual([percent]);
      expect(underscores.map((item) => item.name)).toEqual(['a_b']);
    });

    it('ignores a blank search', async () => {
      await projectBatch(test.db, [projection], [create(newId('c')), create(newId('c'))]);

      expect((await queries.listCampaigns({ search: '  ' })).total).toBe(2);
    });
  });

  describe('campaign list filters', () => {
    it('keeps campaigns carrying any of the tags', async () => {
      const black = newId('c');
      const white = newId('c');
      await projectBatch(
        test.db,
        [projection],
        [
          create(black, { tags: ['black-friday', 'vip'] }),
          create(white, { tags: ['sales'] }),
          create(newId('c'), { tags: ['other'] }),
          create(newId('c'), { tags: [] }),
        ],
      );

      const page = await queries.listCampaigns({ tags: ['vip', 'sales'] });

      expect(page.items.map((item) => item.id).sort()).toEqual([black, white].sort());
      expect(page.total).toBe(2);
    });

    it('compares tags regardless of letter case', async () => {
      const promo = newId('c');
      const summer = newId('c');
      const dotted = newId('c');
      await projectBatch(
        test.db,
        [projection],
        [create(promo, { tags: ['promo'] }), create(summer, { tags: ['Été-2026'] }), create(dotted, { tags: ['promotion', 'pro.mo'] })],
      );

      const idsFor = async (tags: string[]) => (await queries.listCampaigns({ tags })).items.map((item) => item.id);

      expect(await idsFor(['PROMO'])).toEqual([promo]);
      expect(await idsFor(['Promo'])).toEqual([promo]);
      expect(await idsFor(['été-2026'])).toEqual([summer]);
      expect(await idsFor(['PRO.MO'])).toEqual([dotted]);
      expect(await idsFor(['pro'])).toEqual([]);
      expect((await queries.getCampaign(summer))?.tags).toEqual(['Été-2026']);
    });

    it('keeps campaigns in the requested status', async () => {
      const on = newId('c');
      await projectBatch(
        test.db,
        [projection],
        [create(on), log.record(streams.campaign(on), statusToggled('ON', 'session-1')), create(newId('c'))],
      );

      const onPage = await queries.listCampaigns({ status: 'ON' });
      const offPage = await queries.listCampaigns({ status: 'OFF' });

      expect(onPage.items.map((item) => item.id)).toEqual([on]);
      expect(offPage.total).toBe(1);
      expect(offPage.items[0].id).not.toBe(on);
    });

    it('combines search, tags and status', async () => {
      const match = newId('c');
      await projectBatch(
        test.db,
        [projection],
        [
          create(match, { name: 'Noël', tags: ['vip'] }),
          log.record(streams.campaign(match), statusToggled('ON', 'session-1')),
          create(newId('c'), { name: 'Noël', tags: ['vip'] }),
          create(newId('c'), { name: 'Easter', tags: ['vip'] }),
        ],
      );

      const page = await queries.listCampaigns({ search: 'noel', tags: ['vip'], status: 'ON' });

      expect(page.items.map((item) => item.id)).toEqual([match]);
    });
  });

  describe('campaign list paging', () => {
    it('returns the newest first with the total over all pages', async () => {
      const ids = Array.from({ length: 5 }, () => newId('c'));
      await projectBatch(
        test.db,
        [projection],
        ids.map((id, index) => log.record(streams.campaign(id), campaignCreated(id), `2026-12-0${index + 1}T08:00:00.000Z`)),
      );

      const first = await queries.listCampaigns({ page: 1, pageSize: 2 });
      const last = await queries.listCampaigns({ page: 3, pageSize: 2 });
      const beyond = await queries.listCampaigns({ page: 4, pageSize: 2 });

      expect(first).toMatchObject({ total: 5, page: 1, pageSize: 2 });
      expect(first.items.map((item) => item.id)).toEqual([ids[4], ids[3]]);
      expect(last.items.map((item) => item.id)).toEqual([ids[0]]);
      expect(beyond.items).toEqual([]);
      expect(beyond.total).toBe(5);
    });

    it('rejects a page size above 500', async () => {
      await expect(queries.listCampaigns({ pageSize: 501 })).rejects.toMatchObject({ code: 'QUERY.INVALID_PAGE_SIZE' });
      await expect(queries.listCampaigns({ page: 0 })).rejects.toMatchObject({ code: 'QUERY.INVALID_PAGE' });
    });
  });

  describe('campaigns for the scheduler', () => {
    it('lists only campaigns that are ON, with session and settings', async () => {
      const on = newId('c');
      const created = campaignCreated(on, { refreshSeconds: 30 });
      await projectBatch(
        test.db,
        [projection],
        [log.record(streams.campaign(on), created), log.record(streams.campaign(on), statusToggled('ON', 'session-9')), create(newId('c'))],
      );

      const active = await queries.listActiveCampaigns();

      const { id: _, ...settings } = created.data;
      expect(active).toEqual([{ id: on, sessionId: 'session-9', settings }]);
    });
  });

  describe('a reset followed by a replay', () => {
    it('rebuilds the same campaign', async () => {
      const id = newId('c');
      const events = [create(id, { name: 'Été' }), log.record(streams.campaign(id), statusToggled('ON', 'session-1'))];
      await projectBatch(test.db, [projection], events);
      const before = await queries.getCampaign(id);

      await projection.reset(test.db);
      const hidden = await queries.getCampaign(id);
      await projectBatch(test.db, [projection], events);

      expect(hidden).toBeNull();
      expect(await queries.getCampaign(id)).toEqual(before);
    });
  });

  describe('setup run twice', () => {
    it('succeeds', async () => {
      await expect(setUpProjections(test.db, [projection])).resolves.toBeUndefined();
    });
  });
});
