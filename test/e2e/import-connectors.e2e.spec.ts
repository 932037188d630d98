import { randomUUID } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { jetstreamManager, RetentionPolicy, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import { type NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';
import { createCampaign, EmbeddedService, startEmbeddedService } from '../support/embedded-service';
import { eventually, HttpClient } from '../support/http-client';
import { NATS_URL } from '../support/test-environment';

const POSTGRES_URL = process.env.TEST_POSTGRES_TEST_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const MARIADB_URL = process.env.TEST_MARIADB_URL ?? 'mysql://root@127.0.0.1:3306/test';
const CRM_TOKEN = 'e2e-crm-token';

/** The three connector sources through POST /campaigns/:id/imports, each against a real server on 127.0.0.1. */
describe('import connectors on the embedded profile', () => {
  const suffix = randomUUID().replace(/-/g, '').slice(0, 10);
  const schema = `import_e2e_${suffix}`;
  const table = `import_e2e_${suffix}`;
  const paymentStream = `PAY_E2E_${suffix}`;
  const paymentPrefix = `paye2e${suffix}.unpaid`;
  let embedded: EmbeddedService;
  let maker: HttpClient;
  let postgres: Client;
  let crm: Server;
  let crmUrl: string;
  let nats: NatsConnection;
  let jsm: JetStreamManager;

  beforeAll(async () => {
    postgres = new Client({ connectionString: POSTGRES_URL });
    await postgres.connect();
    await postgres.query(`CREATE SCHEMA ${schema}`);
    await postgres.query(`CREATE TABLE ${schema}.clients (telephone text, prenom text, relance timestamp)`);
    await postgres.query(`INSERT INTO ${schema}.clients VALUES ('0600000101', 'Zoé', '2026-12-07 09:00'), ('06 39', 'Bad', NULL)`);

    const mariadb = await createConnection(MARIADB_URL);
    await mariadb.query(`CREATE TABLE ${table} (phoneNumber VARCHAR(40), firstName VARCHAR(40))`);
    await mariadb.query(`INSERT INTO ${table} VALUES ('0600000201', 'Ana'), ('0600000202', 'Bo')`);
    await mariadb.end();

    crm = createServer((request, response) => {
      if (request.headers.authorization !== `Bearer ${CRM_TOKEN}`) {
        response.writeHead(401).end();
        return;
      }
      const page = Number(new URL(request.url ?? '/', 'http://127.0.0.1').searchParams.get('page'));
      const contacts =
        page === 1
          ? [
              { mobile: '0600000301', who: { name: 'Léa' } },
              { mobile: '0600000302', who: { name: 'Max' } },
            ]
          : [];
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { contacts } }));
    });
    await new Promise<void>((resolve) => crm.listen(0, '127.0.0.1', resolve));
    crmUrl = `http://127.0.0.1:${(crm.address() as AddressInfo).port}/contacts`;

    nats = (await connect({ servers: NATS_URL })) as NatsConnection;
    jsm = await jetstreamManager(nats);
    await jsm.streams.add({
      name: paymentStream,
      subjects: [`${paymentPrefix}.>`],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
    });

    embedded = await startEmbeddedService(
      {},
      {
        IMPORT_DATABASES: JSON.stringify({ crm_pg: POSTGRES_URL, legacy: MARIADB_URL }),
        IMPORT_CRM_ALLOWED_HOSTS: '127.0.0.1',
        IMPORT_CRM_CREDENTIALS: JSON.stringify({ e2e_crm: CRM_TOKEN }),
        IMPORT_PAYMENT_STREAM: paymentStream,
        IMPORT_PAYMENT_SUBJECT_PREFIX: paymentPrefix,
        NATS_URL,
      },
    );
    maker = embedded.maker;
  });

  afterAll(async () => {
    await embedded?.stop();
    await postgres?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await postgres?.end();
    const mariadb = await createConnection(MARIADB_URL);
    await mariadb.query(`DROP TABLE IF EXISTS ${table}`);
    await mariadb.end();
    await new Promise((resolve) => crm?.close(resolve));
    await jsm?.streams.delete(paymentStream).catch(() => undefined);
    await nats?.close();
  });

  async function importFrom(campaignId: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const response = await maker.post<{ importId: string }>(`/campaigns/${campaignId}/imports`, body);
    if (response.status !== 202) {
      throw new Error(`import returned ${response.status}: ${JSON.stringify(response.body)}`);
    }
    return eventually(
      async () => {
        const status = await maker.get(`/imports/${response.body.importId}`);
        return status.body.status === 'DONE' || status.body.status === 'FAILED' ? status.body : undefined;
      },
      30_000,
      'the import to end',
    );
  }

  /** Returns the details, layout included, of the campaign's targets. */
  async function targetsOf(campaignId: string): Promise<Array<Record<string, unknown>>> {
    const list = await maker.get<{ items: Array<{ id: string }> }>(`/campaigns/${campaignId}/targets`);
    const details = await Promise.all(list.body.items.map((item) => maker.get(`/campaigns/${campaignId}/targets/${item.id}`)));
    return details.map((response) => response.body);
  }

  describe('database', () => {
    it('imports a PostgreSQL query with mapping', async () => {
      const campaignId = await createCampaign(maker);

      const result = await importFrom(campaignId, {
        source: 'database',
        connection: 'crm_pg',
        query: `SELECT telephone, prenom, relance FROM ${schema}.clients`,
        mapping: { telephone: 'phoneNumber', prenom: 'firstName', relance: 'startDate' },
      });

      expect(result).toMatchObject({ status: 'DONE', processed: 2, imported: 1, duplicates: 0, rejected: 1 });
      expect(result.errors).toEqual([{ line: 2, value: '06 39', reason: "phoneNumber '06 39' is not a valid number for FR" }]);
      const targets = await eventually(
        async () => {
          const items = await targetsOf(campaignId);
          return items.length === 1 ? items : undefined;
        },
        10_000,
        'the imported target',
      );
      expect(targets[0]).toMatchObject({ startDate: '2026-12-07T08:00:00.000Z', layout: { name: 'import', values: { firstName: 'Zoé' } } });
    });

    it('imports a MariaDB query', async () => {
      const campaignId = await createCampaign(maker);

      const result = await importFrom(campaignId, { source: 'database', connection: 'legacy', query: `SELECT * FROM ${table}` });

      expect(result).toMatchObject({ status: 'DONE', processed: 2, imported: 2, rejected: 0 });
    });

    it('fails a DELETE with the read-only error and deletes nothing', async () => {
      const campaignId = await createCampaign(maker);

      const result = await importFrom(campaignId, { source: 'database', connection: 'legacy', query: `DELETE FROM ${table}` });

      expect(result).toMatchObject({
        status: 'FAILED',
        reason: "the query on connection 'legacy' failed: Cannot execute statement in a READ ONLY transaction",
      });
      const mariadb = await createConnection(MARIADB_URL);
      const [rows] = await mariadb.query(`SELECT COUNT(*) AS count FROM ${table}`);
      await mariadb.end();
      expect(rows).toEqual([{ count: 2 }]);
    });

    it('fails a PostgreSQL write through a CTE and deletes nothing', async () => {
      const campaignId = await createCampaign(maker);

      const result = await importFrom(campaignId, {
        source: 'database',
        connection: 'crm_pg',
        query: `WITH gone AS (DELETE FROM ${schema}.clients RETURNING telephone) SELECT telephone AS "phoneNumber" FROM gone`,
      });

      expect(result).toMatchObject({ status: 'FAILED', reason: expect.stringMatching(/^the query on connection 'crm_pg' failed: /) });
      const count = await postgres.query(`SELECT count(*)::int AS count FROM ${schema}.clients`);
      expect(count.rows[0].count).toBe(2);
    });

    it('rejects an unknown connection with 400', async () => {
      const campaignId = await createCampaign(maker);

      const response = await maker.post(`/campaigns/${campaignId}/imports`, { source: 'database', connection: 'nope', query: 'SELECT 1' });

      expect(response).toMatchObject({
        status: 400,
        body: {
          code: 'IMPORT.UNKNOWN_CONNECTION',
          details: [
            { field: 'connection', value: 'nope', rule: 'is not a name configured in IMPORT_DATABASES; use one of crm_pg, legacy' },
          ],
        },
      });
    });

    it('rejects a body without a query with 400', async () => {
      const campaignId = await createCampaign(maker);

      const response = await maker.post(`/campaigns/${campaignId}/imports`, { source: 'database', connection: 'legacy' });

      expect(response).toMatchObject({ status: 400, body: { code: 'REQUEST.INVALID' } });
      expect(response.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'query', rule: 'is required' })]));
    });
  });

  describe('crm', () => {
    const body = (overrides: Record<string, unknown> = {}) => ({
      source: 'crm',
      url: crmUrl,
      credential: 'e2e_crm',
      itemsPath: 'data.contacts',
      paging: { type: 'page' },
      mapping: { mobile: 'phoneNumber', 'who.name': 'firstName' },
      ...overrides,
    });

    it('imports the pages of a CRM list', async () => {
      const campaignId = await createCampaign(maker);

      const result = await importFrom(campaignId, body());

      expect(result).toMatchObject({ status: 'DONE', processed: 2, imported: 2, rejected: 0 });
    });

    it('fails with the status when the token is wrong', async () => {
      const campaignId = await createCampaign(maker);

      const result = await importFrom(campaignId, body({ credential: undefined, token: 'wrong-token' }));

      expect(result).toMatchObject({ status: 'FAILED', reason: 'CRM page 1 returned HTTP 401 Unauthorized' });
    });

    it('rejects a host that is not allowed with 400', async () => {
      const campaignId = await createCampaign(maker);

      const response = await maker.post(`/campaigns/${campaignId}/imports`, body({ url: 'http://localhost:9/contacts' }));

      expect(response).toMatchObject({
        status: 400,
        body: {
          code: 'IMPORT.URL_NOT_ALLOWED',
          details: [
            {
              field: 'url',
              value: 'http://localhost:9/contacts',
              rule: 'must have a host listed in IMPORT_CRM_ALLOWED_HOSTS (allowed: 127.0.0.1)',
            },
          ],
        },
      });
    });
  });

  describe('payment', () => {
    it('imports unpaid payments once, with their layout values', async () => {
      const campaignId = await createCampaign(maker);
      const publish = (paymentId: string, phoneNumber: string) =>
        jsm.jetstream().publish(
          `${paymentPrefix}.${campaignId}`,
          JSON.stringify({
            paymentId,
            phoneNumber,
            amount: 42.5,
            dueDate: '2026-07-01',
            paymentLink: `https://pay.example.com/${paymentId}`,
          }),
        );
      await publish('inv-1', '0600000401');
      await publish('inv-1', '0600000401');
      await publish('inv-2', '0600000402');

      const first = await importFrom(campaignId, { source: 'payment', idleSeconds: 1 });
      await publish('inv-2', '0600000402');
      const second = await importFrom(campaignId, { source: 'payment', idleSeconds: 1 });

      expect(first).toMatchObject({ status: 'DONE', processed: 3, imported: 2, duplicates: 1 });
      expect(second).toMatchObject({ status: 'DONE', processed: 1, imported: 0, duplicates: 1 });
      const targets = await eventually(
        async () => {
          const items = await targetsOf(campaignId);
          return items.length === 2 ? items : undefined;
        },
        10_000,
        'two payment targets',
      );
      expect(targets.map((target) => target.layout)).toEqual(
        expect.arrayContaining([
          { name: 'import', values: { amount: 42.5, dueDate: '2026-07-01', paymentLink: 'https://pay.example.com/inv-1' } },
          { name: 'import', values: { amount: 42.5, dueDate: '2026-07-01', paymentLink: 'https://pay.example.com/inv-2' } },
        ]),
      );
    });

    it('rejects a subject outside the prefix with 400', async () => {
      const campaignId = await createCampaign(maker);

      const response = await maker.post(`/campaigns/${campaignId}/imports`, { source: 'payment', subject: 'orders.created' });

      expect(response).toMatchObject({ status: 400, body: { code: 'IMPORT.SUBJECT_NOT_ALLOWED', details: [{ field: 'subject' }] } });
    });
  });

  it('rejects an unknown source with 400', async () => {
    const campaignId = await createCampaign(maker);

    const response = await maker.post(`/campaigns/${campaignId}/imports`, { source: 'ftp' });

    expect(response).toMatchObject({
      status: 400,
      body: { details: [{ field: 'source', value: 'ftp', rule: 'must be one of database, crm, payment' }] },
    });
  });
});
