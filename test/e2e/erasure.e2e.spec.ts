import { randomInt } from 'node:crypto';
import { signAccessToken } from '@sms/application';
import pino from 'pino';
import { switchOn } from '../support/campaign-run';
import { countsWhen, createCampaign, EmbeddedService, startEmbeddedService } from '../support/embedded-service';
import { eventually } from '../support/http-client';
import { createTestDatabase } from '../support/test-environment';

/** A layout value that must disappear with the number. */
const LAYOUT_CODE = 'ERASE-ME-7Q4Z';

interface Profile {
  readonly env: Record<string, string>;
  drop(): Promise<void>;
}

async function embeddedProfile(): Promise<Profile> {
  return { env: {}, drop: async () => undefined };
}

async function postgresProfile(): Promise<Profile> {
  const database = await createTestDatabase();
  return { env: { EVENT_STORE: 'postgres', READ_STORE: 'postgres', DATABASE_URL: database.url }, drop: database.drop };
}

/** Returns a French mobile number no other test uses, in its three spellings. */
function freshNumber(): { e164: string; international: string; national: string } {
  const subscriber = `12${randomInt(100_000, 999_999)}`;
  return { e164: `+336${subscriber}`, international: `336${subscriber}`, national: `06${subscriber}` };
}

/**
 * A number added to two campaigns, sent to, opted out and then erased with POST /erasures: no
 * table, raw event, log line, export or Reporter stream holds it afterwards in any spelling, and
 * the attempts are still listed. Log lines are taken from the service's pino stream, at debug
 * level, from the first request on.
 */
describe.each([
  ['the embedded profile (PGlite)', embeddedProfile],
  ['PostgreSQL', postgresProfile],
])('erasure of a number on %s', (_name, openProfile: () => Promise<Profile>) => {
  let profile: Profile;
  let embedded: EmbeddedService;
  let reporterToken: string;
  const logLines: string[] = [];
  const number = freshNumber();
  const campaignIds: string[] = [];
  const targetIds: string[] = [];
  let erasure: { status: number; body: unknown };

  beforeAll(async () => {
    profile = await openProfile();
    embedded = await startEmbeddedService({ receiptDelayMs: 20 }, { ...profile.env, LOG_LEVEL: 'debug' });
    captureLogLines(embedded, logLines);
    reporterToken = await signAccessToken(embedded.secret, { sub: 'rita', roles: ['reporter'] });
    const { maker } = embedded;

    for (let index = 0; index < 2; index += 1) {
      const campaignId = await createCampaign(maker, { body: 'Votre code {{code}}' });
      const added = await maker.post(`/campaigns/${campaignId}/targets`, {
        phoneNumber: index === 0 ? number.national : number.e164,
        layout: { name: 'relance', values: { code: LAYOUT_CODE } },
      });
      expect(added.status).toBe(201);
      campaignIds.push(campaignId);
      targetIds.push(String(added.body.id));
      await switchOn(maker, campaignId);
    }
    for (const campaignId of campaignIds) {
      await countsWhen(maker, campaignId, (counts) => counts.delivered === 1, 30_000, 'the target to be delivered');
    }
    expect(embedded.simulator.submits().filter((submit) => submit.destination === number.international)).toHaveLength(2);

    const optedOut = await maker.post('/opt-outs', { phoneNumber: number.national });
    expect(optedOut.status).toBe(201);
    await eventually(async () => (await optOutsOf(embedded, number.e164)).total === 1 || undefined, 10_000, 'the opt-out to be listed');

    erasure = await maker.post('/erasures', { phoneNumber: number.national, defaultCountry: 'FR' });
    for (const [index, campaignId] of campaignIds.entries()) {
      await eventually(
        async () => {
          const { body } = await maker.get<{ phoneNumber: string | null }>(`/campaigns/${campaignId}/targets/${targetIds[index]}`);
          return body.phoneNumber === null || undefined;
        },
        10_000,
        'the target to read as erased',
      );
    }
    await eventually(
      async () => (await optOutsOf(embedded, number.e164)).items[0]?.phoneNumber === null || undefined,
      10_000,
      'the opt-out entry to read as erased',
    );
  }, 180_000);

  afterAll(async () => {
    await embedded?.stop();
    await profile?.drop();
  }, 60_000);

  it('erases both targets and the opt-out entry', () => {
    expect(erasure).toMatchObject({ status: 200, body: { targets: 2, optOuts: 1 } });
  });

  it('leaves the number in no row of any table', async () => {
    const db = requireDatabase(embedded);
    const tables = await db.query<{ table_schema: string; table_name: string }>(
      `SELECT table_schema, table_name FROM information_schema.tables
       WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`,
    );
    const scanned: string[] = [];
    for (const { table_schema: schema, table_name: table } of tables.rows) {
      const { rows } = await db.query<{ row: string }>(`SELECT t::text AS row FROM "${schema}"."${table}" t`);
      scanned.push(`${schema}.${table}`);
      expectNoNumber(`${schema}.${table}`, rows.map((row) => row.row).join('\n'), number);
    }

    expect(scanned).toEqual(
      expect.arrayContaining([
        'event_store.events',
        'event_store.subject_keys',
        'read_models.targets',
        'read_models.attempts',
        'read_models.opt_outs',
      ]),
    );
  });

  it('leaves the number in no raw event payload', async () => {
    const { rows } = await requireDatabase(embedded).query<{ data: string; metadata: string }>(
      `SELECT data::text AS data, metadata::text AS metadata FROM event_store.events`,
    );

    expect(rows.some((row) => row.data.includes('$sealed'))).toBe(true);
    expectNoNumber('event_store.events', rows.map((row) => `${row.data}\n${row.metadata}`).join('\n'), number);
  });

  it('reads the erased fields as empty through the event store', async () => {
    const events = await embedded.service.infrastructure.eventStore.readStreams(targetIds.map((targetId) => `target-${targetId}`));
    const added = events.filter((event) => event.type === 'TargetAdded');

    expect(added.map((event) => [event.data.phoneNumber, event.data.layout])).toEqual([
      ['', null],
      ['', null],
    ]);
  });

  it('leaves the number in no export, send history, history or Reporter stream', async () => {
    const documents: Array<[string, string]> = [];
    for (const campaignId of campaignIds) {
      documents.push([`export of ${campaignId}`, await fetchText(embedded, `/campaigns/${campaignId}/targets/export`)]);
      documents.push([`sends of ${campaignId}`, await fetchText(embedded, `/campaigns/${campaignId}/sends`)]);
      documents.push([`history of ${campaignId}`, await fetchText(embedded, `/campaigns/${campaignId}/history`)]);
      documents.push([`targets of ${campaignId}`, await fetchText(embedded, `/campaigns/${campaignId}/targets`)]);
      for (const accept of ['application/x-ndjson', 'text/csv', 'application/json']) {
        const path = `/reporter/sms-campaign-attempts?campaignId=${campaignId}`;
        documents.push([`Reporter ${accept} of ${campaignId}`, await fetchText(embedded, path, { accept, token: reporterToken })]);
      }
    }
    documents.push(['opt-out list', await fetchText(embedded, '/opt-outs')]);

    for (const [what, text] of documents) {
      expectNoNumber(what, text, number);
    }
  });

  it('still lists the attempts, without the number', async () => {
    for (const [index, campaignId] of campaignIds.entries()) {
      const target = await embedded.maker.get<{ status: string; layout: unknown; attempts: Array<{ status: string }> }>(
        `/campaigns/${campaignId}/targets/${targetIds[index]}`,
      );
      const sends = await embedded.maker.get<{ items: Array<{ status: string; phoneNumber: string | null }>; total: number }>(
        `/campaigns/${campaignId}/sends`,
      );
      const reporter = await embedded.maker.get<{ items: Array<{ status: string; phoneNumber: string | null }> }>(
        `/reporter/sms-campaign-attempts?campaignId=${campaignId}`,
        { token: reporterToken },
      );
      const campaign = await embedded.maker.get<{ counts: Record<string, number> }>(`/campaigns/${campaignId}`);

      expect(target.body).toMatchObject({ status: 'DELIVERED', layout: null, attempts: [{ status: 'DELIVERED' }] });
      expect(sends.body).toMatchObject({ total: 1, items: [{ status: 'DELIVERED' }] });
      expect(sends.body.items[0].phoneNumber ?? '').toBe('');
      expect(reporter.body.items).toMatchObject([{ status: 'DELIVERED', phoneNumber: null }]);
      expect(campaign.body.counts).toMatchObject({ delivered: 1 });
    }
  });

  it('keeps the erased number blocked in a new campaign', async () => {
    const { maker, simulator } = embedded;
    const campaignId = await createCampaign(maker, { body: 'Bonjour' });
    const added = await maker.post(`/campaigns/${campaignId}/targets`, { phoneNumber: number.e164 });
    expect(added.status).toBe(201);

    await switchOn(maker, campaignId);
    await countsWhen(maker, campaignId, (counts) => counts.optedOut === 1, 30_000, 'the target to end opted out');

    expect(simulator.submits().filter((submit) => submit.destination === number.international)).toHaveLength(2);
  }, 60_000);

  it('counts nothing for a refused add of the erased number', async () => {
    const { maker } = embedded;
    const other = freshNumber();
    const campaignId = await createCampaign(maker, { body: 'Bonjour' });
    expect((await maker.post(`/campaigns/${campaignId}/targets`, { phoneNumber: other.e164 })).status).toBe(201);
    const first = await maker.post('/erasures', { phoneNumber: other.e164 });

    // The same number in the same campaign is a duplicate of the erased target: nothing is added.
    const again = await maker.post(`/campaigns/${campaignId}/targets`, { phoneNumber: other.e164 });
    const second = await maker.post('/erasures', { phoneNumber: other.e164 });

    expect(first).toMatchObject({ status: 200, body: { targets: 1, optOuts: 0 } });
    expect(again).toMatchObject({ status: 200, body: { duplicateOf: expect.any(String) } });
    expect(second).toMatchObject({ status: 200, body: { targets: 0, optOuts: 0 } });
  });

  it('deletes the key of a target deleted on its own', async () => {
    const { maker, service } = embedded;
    const other = freshNumber();
    const campaignId = await createCampaign(maker, { body: 'Bonjour' });
    const added = await maker.post(`/campaigns/${campaignId}/targets`, { phoneNumber: other.e164 });
    const stream = `target-${String(added.body.id)}`;
    const db = requireDatabase(embedded);
    const keysBefore = await db.query(`SELECT 1 FROM event_store.subject_keys WHERE subject = $1`, [stream]);

    const deleted = await maker.request('DELETE', `/campaigns/${campaignId}/targets/${String(added.body.id)}`);
    const keysAfter = await db.query(`SELECT 1 FROM event_store.subject_keys WHERE subject = $1`, [stream]);
    const [targetAdded] = await service.infrastructure.eventStore.readStream(stream);

    expect(keysBefore.rows).toHaveLength(1);
    expect(deleted.status).toBe(204);
    expect(keysAfter.rows).toHaveLength(0);
    expect(targetAdded.data).toMatchObject({ phoneNumber: '', layout: null });
  });

  it('rejects a bad number naming the field, value and rule', async () => {
    const invalid = await embedded.maker.post('/erasures', { phoneNumber: '0612' });
    const advisor = await signAccessToken(embedded.secret, { sub: 'bob', roles: ['advisor'], profileIds: [] });
    const forbidden = await embedded.maker.post('/erasures', { phoneNumber: number.e164 }, { token: advisor });

    expect(invalid).toMatchObject({
      status: 400,
      body: { code: 'ERASURE.INVALID_PHONE_NUMBER', details: [{ field: 'phoneNumber', value: '0612' }] },
    });
    expect((invalid.body as { details: Array<{ rule: string }> }).details[0].rule).toMatch(/not a valid number/);
    expect(forbidden.status).toBe(403);
  });
  // Last, so that it also covers what the tests above made the service do.
  it('never writes the number in a log line', () => {
    // The capture works: the scheduler logs each claim.
    expect(logLines.filter((line) => line.includes('targets claimed')).length).toBeGreaterThanOrEqual(2);
    expectNoNumber('log output', logLines.join(''), number);
  });
});

/** Copies every line the service's pino logger writes, child loggers included, into `lines`. */
function captureLogLines(embedded: EmbeddedService, lines: string[]): void {
  const stream = (embedded.service.logger as unknown as Record<symbol, { write(chunk: string): boolean }>)[pino.symbols.streamSym];
  const write = stream.write.bind(stream);
  stream.write = (chunk: string) => {
    lines.push(chunk);
    return write(chunk);
  };
}

function expectNoNumber(where: string, text: string, number: ReturnType<typeof freshNumber>): void {
  for (const spelling of [number.e164, number.international, number.national, LAYOUT_CODE]) {
    const at = text.indexOf(spelling);
    expect({ where, spelling, found: at === -1 ? null : text.slice(Math.max(0, at - 200), at + 100) }).toEqual({
      where,
      spelling,
      found: null,
    });
  }
}

function requireDatabase(embedded: EmbeddedService) {
  const db = embedded.service.infrastructure.readDb;
  if (db === undefined) throw new Error('the service opened no SQL database');
  return db;
}

async function optOutsOf(embedded: EmbeddedService, e164: string) {
  const { body } = await embedded.maker.get<{ items: Array<{ phoneNumber: string | null }>; total: number }>(
    `/opt-outs?phone=${encodeURIComponent(e164)}`,
  );
  return body;
}

/** Fetches a response body as text, streams included; fails unless the status is 200. */
async function fetchText(embedded: EmbeddedService, path: string, options: { accept?: string; token?: string } = {}): Promise<string> {
  const token = options.token ?? (await signAccessToken(embedded.secret, { sub: 'alice', roles: ['maker'] }));
  const response = await fetch(`${embedded.service.url}${path}`, {
    headers: { authorization: `Bearer ${token}`, accept: options.accept ?? 'application/json' },
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`GET ${path} returned ${response.status}: ${text.slice(0, 300)}`);
  return text;
}
