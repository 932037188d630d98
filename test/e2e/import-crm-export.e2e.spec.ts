import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { countsWhen, createCampaign, EmbeddedService, startEmbeddedService } from '../support/embedded-service';
import { eventually, HttpClient } from '../support/http-client';

/**
 * A French CRM export: UTF-8 with a byte order mark, `;` separators, CRLF line endings, French
 * headers, dd/MM/yyyy HH:mm local dates and decimal commas.
 */
const CRM_EXPORT = join(__dirname, '..', 'fixtures', 'targets-crm-export-fr.csv');

const MAPPING = { telephone: 'phoneNumber', date_debut: 'startDate', priorite: 'priority', prenom: 'firstName' };

describe('French CRM export imported over HTTP', () => {
  let embedded: EmbeddedService;
  let campaignId: string;
  let imported: Record<string, unknown>;

  beforeAll(async () => {
    embedded = await startEmbeddedService();
    campaignId = await createCampaign(embedded.maker, { body: 'Bonjour {{firstName}}', campaign: { timeZone: 'Europe/Paris' } });
    const layout = {
      name: 'relance',
      fields: [
        { key: 'firstName', label: 'Prénom', type: 'string' },
        { key: 'montant_du', label: 'Montant dû', type: 'number' },
      ],
    };
    await embedded.maker.request('PUT', `/campaigns/${campaignId}/layouts`, { body: { layouts: [layout] } });
    // Read as UTF-8 and sent as UTF-8, the file reaches the server byte for byte, BOM included.
    const csv = await readFile(CRM_EXPORT, 'utf8');
    imported = await importWithMapping(embedded.maker, campaignId, csv);
    // The import's status and the targets are separate projections, so the targets may lag.
    const expected = Number(imported.imported);
    await countsWhen(embedded.maker, campaignId, (counts) => counts.pending === expected, 30_000, `${expected} pending targets`);
  }, 60_000);

  afterAll(async () => {
    await embedded?.stop();
  });

  it('imports all 500 rows', () => {
    expect(imported).toMatchObject({ status: 'DONE', processed: 500, imported: 500, duplicates: 0, rejected: 0, errors: [] });
  });

  it('lists every row as a pending target', async () => {
    const page = await embedded.maker.get<{ total: number }>(`/campaigns/${campaignId}/targets?status=PENDING&pageSize=1`);

    expect(page.status).toBe(200);
    expect(page.body.total).toBe(500);
  });

  it('reads local dates in the campaign time zone', async () => {
    const first = await targetByPhone(embedded.maker, campaignId, '06 00 02 50 00');

    expect(first).toMatchObject({ phoneNumber: '+33600025000', startDate: '2026-12-07T08:00:00.000Z', priority: 1, timeZone: null });
  });

  it('keeps accents of layout values', async () => {
    const jerome = await targetByPhone(embedded.maker, campaignId, '0600025012');
    const francoise = await targetByPhone(embedded.maker, campaignId, '0600025014');

    expect(jerome.layout).toMatchObject({ values: { firstName: 'Jérôme' } });
    expect(francoise.layout).toMatchObject({ values: { firstName: 'Françoise' } });
  });

  it("fills the campaign's layout, reading a decimal comma in a number field", async () => {
    const first = await targetByPhone(embedded.maker, campaignId, '0600025000');

    expect(first.layout).toEqual({ name: 'relance', values: { firstName: 'Camille', montant_du: 40 } });
  });

  it('records the row as TargetAdded', async () => {
    const first = await targetByPhone(embedded.maker, campaignId, '0600025000');
    const events = await embedded.service.infrastructure.eventStore.readStream(`target-${first.id}`);

    expect(events.map((event) => event.type)).toEqual(['TargetAdded']);
    expect(events[0].data).toMatchObject({
      campaignId,
      phoneNumber: '+33600025000',
      startDate: '2026-12-07T08:00:00.000Z',
      layout: { name: 'relance', values: { firstName: 'Camille', montant_du: 40 } },
    });
  });
});

/** Uploads the export as text/csv with the mapping and date format, and waits for the import to end. */
async function importWithMapping(maker: HttpClient, campaignId: string, csv: string): Promise<Record<string, unknown>> {
  const query = new URLSearchParams({ mapping: JSON.stringify(MAPPING), dateFormat: 'dd/MM/yyyy HH:mm' });
  const upload = await maker.post<{ importId: string }>(`/campaigns/${campaignId}/imports?${query.toString()}`, csv, {
    contentType: 'text/csv',
  });
  if (upload.status !== 202) {
    throw new Error(`import returned ${upload.status}: ${JSON.stringify(upload.body)}`);
  }
  return eventually(
    async () => {
      const response = await maker.get(`/imports/${upload.body.importId}`);
      return response.body.status === 'DONE' || response.body.status === 'FAILED' ? response.body : undefined;
    },
    30_000,
    'the import to end',
  );
}

interface TargetDetails {
  readonly id: string;
  readonly phoneNumber: string;
  readonly startDate: string | null;
  readonly priority: number;
  readonly timeZone: string | null;
  readonly layout: { readonly name: string; readonly values: Record<string, unknown> } | null;
}

/** Finds the campaign's target for a number written in any format, and returns its details. */
async function targetByPhone(maker: HttpClient, campaignId: string, phone: string): Promise<TargetDetails> {
  const page = await maker.get<{ items: Array<{ id: string }> }>(`/campaigns/${campaignId}/targets?phone=${encodeURIComponent(phone)}`);
  if (page.status !== 200 || page.body.items.length !== 1) {
    throw new Error(`expected one target for ${phone}, got ${page.status} ${JSON.stringify(page.body)}`);
  }
  const details = await maker.get<TargetDetails>(`/campaigns/${campaignId}/targets/${page.body.items[0].id}`);
  return details.body;
}
