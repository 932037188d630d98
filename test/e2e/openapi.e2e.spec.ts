import { randomUUID } from 'node:crypto';
import { signAccessToken } from '@sms/application';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { EmbeddedService, startEmbeddedService } from '../support/embedded-service';
import { eventually } from '../support/http-client';

const REPORTER = 'GET /reporter/sms-campaign-attempts';

/** Every operation the scenario calls, in the document's path form. */
const OPERATIONS = [
  'GET /health',
  'GET /metrics',
  'POST /senders',
  'GET /senders',
  'GET /senders/{id}',
  'POST /templates',
  'GET /templates',
  'GET /templates/{id}',
  'POST /templates/{id}/preview',
  'POST /calendars',
  'GET /calendars',
  'GET /calendars/{id}',
  'GET /calendars/{id}/next-open',
  'POST /profiles',
  'GET /profiles',
  'GET /profiles/{id}',
  'PATCH /profiles/{id}',
  'POST /campaigns',
  'GET /campaigns',
  'GET /campaigns/{id}',
  'PATCH /campaigns/{id}',
  'DELETE /campaigns/{id}',
  'PUT /campaigns/{id}/tags',
  'PUT /campaigns/{id}/profiles',
  'PUT /campaigns/{id}/layouts',
  'POST /campaigns/{id}/duplicate',
  'POST /campaigns/{id}/empty',
  'GET /campaigns/{id}/as-of',
  'GET /campaigns/{id}/history',
  'GET /campaigns/{id}/dependencies',
  'POST /campaigns/{id}/status',
  'POST /campaigns/{campaignId}/targets',
  'GET /campaigns/{campaignId}/targets',
  'GET /campaigns/{campaignId}/targets/{targetId}',
  'DELETE /campaigns/{campaignId}/targets/{targetId}',
  'POST /campaigns/{campaignId}/targets/{targetId}/remove',
  'POST /campaigns/{campaignId}/targets/{targetId}/reschedule',
  'POST /campaigns/{campaignId}/targets/{targetId}/duplicate',
  'POST /campaigns/{campaignId}/targets/calibrate',
  'GET /campaigns/{campaignId}/targets/export',
  'GET /campaigns/{campaignId}/targets/import-template',
  'GET /campaigns/{campaignId}/sends',
  'POST /campaigns/{campaignId}/imports',
  'GET /imports/{id}',
  'GET /opt-outs',
  'POST /opt-outs',
  'DELETE /opt-outs/{phoneNumber}',
  REPORTER,
  'GET /reporter/sms-campaign-attempts/counters',
  'GET /banner/campaigns',
  'POST /banner/campaigns/{id}/status',
  'POST /erasures',
];

/**
 * The served OpenAPI document against the real responses: a scenario calls every operation, and
 * each response's status, media type, body and ETag must be the ones the document gives for it.
 */
describe('OpenAPI document against real responses on the embedded profile', () => {
  let embedded: EmbeddedService;
  let document: OpenApiDocument;
  let validator: ResponseValidator;
  const exchanges: Exchange[] = [];

  beforeAll(async () => {
    embedded = await startEmbeddedService({ receiptDelayMs: 50 });
    const baseUrl = embedded.service.url ?? '';
    const served = await fetch(`${baseUrl}/openapi.json`);
    document = (await served.json()) as OpenApiDocument;
    validator = new ResponseValidator(document);

    const tokens = {
      maker: await signAccessToken(embedded.secret, { sub: 'openapi-maker', roles: ['maker'] }),
      reporter: await signAccessToken(embedded.secret, { sub: 'openapi-reporter', roles: ['reporter'] }),
    };
    await runScenario(new RecordingClient(baseUrl, exchanges), tokens, embedded.secret);
  }, 180_000);

  afterAll(async () => {
    await embedded?.stop();
  });

  it('serves exactly the operations the scenario calls', () => {
    expect(operationsOf(document).sort()).toEqual([...OPERATIONS].sort());
  });

  it('documents a body for every success response but 204', () => {
    const missing: string[] = [];
    for (const operation of operationsOf(document)) {
      for (const [status, response] of Object.entries(validator.responsesOf(operation))) {
        const schemas = Object.values(response.content ?? {}).map((media) => media.schema);
        if (status.startsWith('2') && status !== '204' && (schemas.length === 0 || schemas.includes(undefined))) {
          missing.push(`${operation} ${status}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('documents no body for a 204', () => {
    const withBody = operationsOf(document).filter((operation) => validator.responsesOf(operation)['204']?.content !== undefined);
    expect(withBody).toEqual([]);
  });

  it('receives every documented success status in the scenario', () => {
    const received = new Set(exchanges.map((exchange) => `${exchange.operation} ${exchange.status}`));
    const unseen = operationsOf(document).flatMap((operation) =>
      Object.keys(validator.responsesOf(operation))
        .filter((status) => status.startsWith('2') && !received.has(`${operation} ${status}`))
        .map((status) => `${operation} ${status}`),
    );
    expect(unseen).toEqual([]);
  });

  it.each(OPERATIONS)('%s answers as documented', (operation) => {
    const recorded = exchanges.filter((exchange) => exchange.operation === operation);
    expect(recorded.length).toBeGreaterThan(0);
    expect(recorded.flatMap((exchange) => validator.problemsOf(exchange))).toEqual([]);
  });

  it('reads every campaign event type in the histories', () => {
    const histories = exchanges.filter((exchange) => exchange.operation === 'GET /campaigns/{id}/history' && exchange.status === 200);
    const types = new Set(histories.flatMap((exchange) => (JSON.parse(exchange.text) as { items: Json[] }).items.map((item) => item.type)));
    const documented = (document.components.schemas.CampaignHistoryEvent as { oneOf: Array<{ properties: { type: { enum: string[] } } }> })
      .oneOf;
    expect([...types].sort()).toEqual(documented.map((variant) => variant.properties.type.enum[0]).sort());
  });

  it('streams NDJSON rows that match AttemptReportRow', () => {
    const streams = exchanges.filter((exchange) => exchange.mediaType === 'application/x-ndjson');
    const lines = streams.flatMap((exchange) => exchange.text.split('\n').filter((line) => line !== ''));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.flatMap((line) => validator.componentProblems('AttemptReportRow', JSON.parse(line)))).toEqual([]);
  });

  it('starts the Reporter CSV with a BOM and its columns', () => {
    const csv = exchanges.find((exchange) => exchange.operation === REPORTER && exchange.mediaType === 'text/csv');
    const columns = Object.keys((document.components.schemas.AttemptReportRow as { properties: object }).properties);
    expect(csv?.text.startsWith('\uFEFF')).toBe(true);
    expect(csv?.text.slice(1).split(/\r?\n/)[0]).toBe(columns.join(','));
  });
});

const WEEKDAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'];
const HOUR_MS = 3_600_000;

type Json = Record<string, unknown>;

/**
 * Calls every operation at least once for each success status it documents: catalog, campaign and
 * target edits, a CSV import, a run until every target is final, the Reporter, the Banner,
 * opt-outs and erasure, then the campaign's deletion.
 */
async function runScenario(client: RecordingClient, tokens: { maker: string; reporter: string }, secret: string): Promise<void> {
  const maker = client.as(tokens.maker);
  const reporter = client.as(tokens.reporter);

  expectStatus(await client.as(undefined)('GET /health'), 200);
  expectStatus(await maker('GET /metrics'), 200);

  const { senderId, templateId, calendarId, profileId } = await createCatalog(maker);
  const campaignId = await createCampaign(maker, { senderId, templateId, calendarId, profileId });
  await editTargets(maker, campaignId);
  await importTargets(maker, campaignId);
  await runCampaign(maker, campaignId);
  await readReports(maker, reporter, campaignId);

  const advisor = client.as(await signAccessToken(secret, { sub: 'openapi-advisor', roles: ['advisor'], profileIds: [profileId] }));
  await eventually(
    async () => {
      const listed = await advisor('GET /banner/campaigns');
      return (listed.body.items as Json[] | undefined)?.some((campaign) => campaign.id === campaignId) ? true : undefined;
    },
    10_000,
    'the campaign in the Banner',
  );
  expectStatus(await advisor('POST /banner/campaigns/{id}/status', { params: { id: campaignId }, body: { status: 'OFF' } }), 200);

  expectStatus(await maker('GET /campaigns/{id}/as-of', { params: { id: campaignId }, query: { at: new Date().toISOString() } }), 200);
  expectStatus(await maker('GET /campaigns/{id}/dependencies', { params: { id: campaignId } }), 200);
  await duplicateAndEmpty(maker, campaignId);
  await editOptOuts(maker);

  expectStatus(await maker('DELETE /campaigns/{id}', { params: { id: campaignId } }), 204);
  expectStatus(await maker('GET /campaigns/{id}/history', { params: { id: campaignId }, query: { pageSize: '100' } }), 200);
}

async function createCatalog(maker: Caller): Promise<{ senderId: string; templateId: string; calendarId: string; profileId: string }> {
  const sender = expectStatus(
    await maker('POST /senders', { body: { name: 'Service colis', senderId: 'ACME', throughputPerSecond: 50 } }),
    201,
  );
  const senderId = String(sender.body.id);
  expectStatus(await maker('GET /senders'), 200);
  await readWhenProjected(maker, 'GET /senders/{id}', { id: senderId });

  const template = expectStatus(
    await maker('POST /templates', { body: { name: 'Relance colis', body: 'Bonjour {{firstName}}, votre colis arrive.', language: 'fr' } }),
    201,
  );
  const templateId = String(template.body.id);
  expectStatus(await maker('GET /templates'), 200);
  await readWhenProjected(maker, 'GET /templates/{id}', { id: templateId });
  expectStatus(await maker('POST /templates/{id}/preview', { params: { id: templateId }, body: { variables: { firstName: 'Léa' } } }), 200);

  const openingHours = WEEKDAYS.map((day) => ({ day, from: '00:00', to: '24:00' }));
  const calendar = expectStatus(
    await maker('POST /calendars', {
      body: { name: 'Toujours ouvert', timeZone: 'Europe/Paris', openingHours, closedDates: ['2099-12-25'] },
    }),
    201,
  );
  const calendarId = String(calendar.body.id);
  expectStatus(await maker('GET /calendars'), 200);
  await readWhenProjected(maker, 'GET /calendars/{id}', { id: calendarId });
  expectStatus(await maker('GET /calendars/{id}/next-open', { params: { id: calendarId }, query: { after: '2026-12-07T09:00' } }), 200);

  const profile = expectStatus(await maker('POST /profiles', { body: { name: 'Recouvrement', manageCampaign: true } }), 201);
  const profileId = String(profile.body.id);
  expectStatus(await maker('PATCH /profiles/{id}', { params: { id: profileId }, body: { name: 'Recouvrement amiable' } }), 200);
  expectStatus(await maker('GET /profiles'), 200);
  await readWhenProjected(maker, 'GET /profiles/{id}', { id: profileId });
  return { senderId, templateId, calendarId, profileId };
}

async function createCampaign(
  maker: Caller,
  catalog: { senderId: string; templateId: string; calendarId: string; profileId: string },
): Promise<string> {
  const created = expectStatus(
    await maker('POST /campaigns', {
      body: {
        name: 'Relance colis',
        reference: `OPENAPI-${randomUUID()}`,
        alias: 'colis',
        senderId: catalog.senderId,
        templateId: catalog.templateId,
        calendarId: catalog.calendarId,
        endDate: new Date(Date.now() + 30 * 24 * HOUR_MS).toISOString(),
        timeZone: 'Europe/Paris',
        language: 'fr',
        refreshSeconds: 1,
        chatFlow: { enabled: true, flowId: 'flow-colis' },
        throughputPerSecond: 100,
        maxAttempts: 1,
        retryDelaySeconds: 60,
        tags: ['colis'],
      },
    }),
    201,
  );
  const id = String(created.body.id);
  const params = { id };
  await readWhenProjected(maker, 'GET /campaigns/{id}', params);
  expectStatus(await maker('GET /campaigns', { query: { search: 'colis' } }), 200);
  expectStatus(await maker('PATCH /campaigns/{id}', { params, body: { alias: null } }), 200);
  expectStatus(await maker('PUT /campaigns/{id}/tags', { params, body: { tags: ['colis', 'relance'] } }), 200);
  expectStatus(await maker('PUT /campaigns/{id}/profiles', { params, body: { profileIds: [catalog.profileId] } }), 200);
  const fields = [
    { key: 'firstName', label: 'Prénom', type: 'string' },
    { key: 'amount', label: 'Montant', type: 'number' },
  ];
  expectStatus(await maker('PUT /campaigns/{id}/layouts', { params, body: { layouts: [{ name: 'colis', fields }] } }), 200);
  return id;
}

/** Adds targets and runs every target action while the campaign is OFF, so that nothing is sent yet. */
async function editTargets(maker: Caller, campaignId: string): Promise<void> {
  const add = async (phoneNumber: string, extra: Json = {}) =>
    maker('POST /campaigns/{campaignId}/targets', {
      params: { campaignId },
      body: { phoneNumber, layout: { name: 'colis', values: { firstName: 'Léa', amount: 12.5 } }, ...extra },
    });
  const first = String(expectStatus(await add('06 12 34 56 01', { priority: 7 }), 201).body.id);
  expectStatus(await add('0612345601'), 200);
  const rescheduled = String(expectStatus(await add('0612345602', { timeZone: 'Europe/Paris' }), 201).body.id);
  const removed = String(expectStatus(await add('0612345603'), 201).body.id);
  const deleted = String(expectStatus(await add('0612345604'), 201).body.id);

  await readWhenProjected(maker, 'GET /campaigns/{campaignId}/targets/{targetId}', { campaignId, targetId: deleted });
  const target = (targetId: string) => ({ campaignId, targetId });
  expectStatus(
    await maker('POST /campaigns/{campaignId}/targets/{targetId}/reschedule', {
      params: target(rescheduled),
      body: { startDate: '2025-06-01T10:00' },
    }),
    200,
  );
  expectStatus(await maker('POST /campaigns/{campaignId}/targets/{targetId}/remove', { params: target(removed) }), 200);
  expectStatus(await maker('POST /campaigns/{campaignId}/targets/{targetId}/duplicate', { params: target(first) }), 201);
  expectStatus(await maker('DELETE /campaigns/{campaignId}/targets/{targetId}', { params: target(deleted) }), 204);

  // The range must end after now. It starts two hours back, so the three pending targets spread over it
  // all land in the past and are due as soon as the campaign is ON.
  const from = new Date(Date.now() - 2 * HOUR_MS).toISOString();
  const to = new Date(Date.now() + 60_000).toISOString();
  expectStatus(await maker('POST /campaigns/{campaignId}/targets/calibrate', { params: { campaignId }, body: { from, to } }), 200);
  expectStatus(await maker('GET /campaigns/{campaignId}/targets/export', { params: { campaignId } }), 200);
  expectStatus(await maker('GET /campaigns/{campaignId}/targets/import-template', { params: { campaignId } }), 200);
}

/** Imports a CSV with one valid row and one rejected row, so that the import lists an error. */
async function importTargets(maker: Caller, campaignId: string): Promise<void> {
  const csv =
    'phoneNumber,startDate,priority,insertIfDuplicate,firstName,amount\n0612345610,,5,false,Marc,10\nnot-a-number,,5,false,Zoé,3\n';
  const upload = expectStatus(
    await maker('POST /campaigns/{campaignId}/imports', { params: { campaignId }, body: csv, contentType: 'text/csv' }),
    202,
  );
  await waitForImport(maker, String(upload.body.importId));
}

async function runCampaign(maker: Caller, campaignId: string): Promise<void> {
  expectStatus(await maker('POST /campaigns/{id}/status', { params: { id: campaignId }, body: { status: 'ON' } }), 200);
  await eventually(
    async () => {
      const campaign = await maker('GET /campaigns/{id}', { params: { id: campaignId } });
      const counts = campaign.body.counts as Record<string, number> | undefined;
      const final = counts !== undefined && counts.delivered > 0 && counts.pending + counts.inProgress + counts.sent === 0;
      return final ? true : undefined;
    },
    30_000,
    'every target of the campaign to be final',
  );
}

async function readReports(maker: Caller, reporter: Caller, campaignId: string): Promise<void> {
  const targets = expectStatus(await maker('GET /campaigns/{campaignId}/targets', { params: { campaignId } }), 200);
  const sent = (targets.body.items as Json[]).find((item) => Number(item.attempts) > 0);
  if (sent === undefined) {
    throw new Error(`no target of campaign ${campaignId} has an attempt: ${JSON.stringify(targets.body)}`);
  }
  expectStatus(await maker('GET /campaigns/{campaignId}/targets/{targetId}', { params: { campaignId, targetId: String(sent.id) } }), 200);
  expectStatus(await maker('GET /campaigns/{campaignId}/sends', { params: { campaignId } }), 200);

  const firstPage = expectStatus(await reporter(REPORTER, { query: { campaignId, limit: '2' } }), 200);
  if (typeof firstPage.body.nextCursor === 'string') {
    expectStatus(await reporter(REPORTER, { query: { campaignId, limit: '2', cursor: firstPage.body.nextCursor } }), 200);
  }
  expectStatus(await reporter(REPORTER, { query: { campaignId }, accept: 'application/x-ndjson' }), 200);
  expectStatus(await reporter(REPORTER, { query: { campaignId }, accept: 'text/csv' }), 200);
  expectStatus(await reporter('GET /reporter/sms-campaign-attempts/counters', { query: { campaignId } }), 200);
}

/** Duplicates the campaign with its targets, empties the copy and reads the copy's history. */
async function duplicateAndEmpty(maker: Caller, campaignId: string): Promise<void> {
  expectStatus(await maker('POST /campaigns/{id}/duplicate', { params: { id: campaignId }, body: {} }), 201);
  const copy = expectStatus(
    await maker('POST /campaigns/{id}/duplicate', { params: { id: campaignId }, body: { name: 'Relance colis bis', withTargets: true } }),
    201,
  );
  const copyId = String(copy.body.id);
  await waitForImport(maker, String(copy.body.importId));
  await eventually(
    async () => {
      const campaign = await maker('GET /campaigns/{id}', { params: { id: copyId } });
      return Number((campaign.body.counts as Json | undefined)?.pending ?? 0) > 0 ? true : undefined;
    },
    10_000,
    'the copied targets in the read model',
  );
  expectStatus(await maker('POST /campaigns/{id}/empty', { params: { id: copyId } }), 200);
  expectStatus(await maker('GET /campaigns/{id}/history', { params: { id: copyId }, query: { pageSize: '100' } }), 200);
}

async function editOptOuts(maker: Caller): Promise<void> {
  expectStatus(await maker('POST /opt-outs', { body: { phoneNumber: '06 12 34 56 99' } }), 201);
  expectStatus(await maker('POST /opt-outs', { body: { phoneNumber: '+33612345699' } }), 200);
  expectStatus(await maker('POST /opt-outs', { body: { phoneNumber: '0612345698' } }), 201);
  expectStatus(await maker('POST /erasures', { body: { phoneNumber: '0612345698' } }), 200);
  await eventually(
    async () => {
      const listed = await maker('GET /opt-outs');
      return (listed.body.items as Json[] | undefined)?.some((entry) => entry.phoneNumber === null) ? true : undefined;
    },
    10_000,
    'the erased opt-out in the list',
  );
  expectStatus(await maker('DELETE /opt-outs/{phoneNumber}', { params: { phoneNumber: '+33612345699' } }), 204);
}

async function readWhenProjected(maker: Caller, operation: string, params: Record<string, string>): Promise<CallResult> {
  return eventually(
    async () => {
      const response = await maker(operation, { params });
      return response.status === 200 ? response : undefined;
    },
    10_000,
    `${operation} with ${JSON.stringify(params)} to return 200`,
  );
}

async function waitForImport(maker: Caller, importId: string): Promise<void> {
  await eventually(
    async () => {
      const response = await maker('GET /imports/{id}', { params: { id: importId } });
      return response.body.status === 'DONE' ? true : undefined;
    },
    20_000,
    `import ${importId} to be DONE`,
  );
}

function expectStatus(result: CallResult, status: number): CallResult {
  if (result.status !== status) {
    throw new Error(`${result.operation} returned ${result.status}, expected ${status}: ${result.text.slice(0, 500)}`);
  }
  return result;
}

/** One response as received, kept for the checks against the document. */
interface Exchange {
  /** `METHOD /path` with the path as the OpenAPI document writes it. */
  readonly operation: string;
  readonly status: number;
  /** The Content-Type without its parameters; empty when the response has none. */
  readonly mediaType: string;
  readonly etag: string | null;
  readonly text: string;
}

interface CallOptions {
  readonly params?: Record<string, string>;
  readonly query?: Record<string, string>;
  /** Sent as is when a string, as JSON otherwise. */
  readonly body?: unknown;
  readonly contentType?: string;
  readonly accept?: string;
}

interface CallResult {
  readonly operation: string;
  readonly status: number;
  readonly text: string;
  /** The parsed body of a JSON response, else an empty object. */
  readonly body: Json;
}

type Caller = (operation: string, options?: CallOptions) => Promise<CallResult>;

/** Calls operations by their OpenAPI name and records each response in `exchanges`. */
class RecordingClient {
  constructor(
    private readonly baseUrl: string,
    private readonly exchanges: Exchange[],
  ) {}

  as(token: string | undefined): Caller {
    return (operation, options = {}) => this.call(token, operation, options);
  }

  private async call(token: string | undefined, operation: string, options: CallOptions): Promise<CallResult> {
    const [method, template] = operation.split(' ');
    const path = template.replace(/\{(\w+)\}/g, (_, name: string) =>
      encodeURIComponent(requiredParameter(options.params, name, operation)),
    );
    const query = options.query === undefined ? '' : `?${new URLSearchParams(options.query).toString()}`;
    const headers: Record<string, string> = {};
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    if (options.accept !== undefined) headers.accept = options.accept;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      headers['content-type'] = options.contentType ?? 'application/json';
    }

    const response = await fetch(`${this.baseUrl}${path}${query}`, { method, headers, body });
    // Response.text() drops a byte order mark, which the CSV files must start with.
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await response.arrayBuffer());
    const mediaType = (response.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
    this.exchanges.push({ operation, status: response.status, mediaType, etag: response.headers.get('etag'), text });
    const parsed = mediaType === 'application/json' && text !== '' ? (JSON.parse(text) as Json) : {};
    return { operation, status: response.status, text, body: parsed };
  }
}

function requiredParameter(params: Record<string, string> | undefined, name: string, operation: string): string {
  const value = params?.[name];
  if (value === undefined) {
    throw new Error(`${operation} needs the path parameter ${name}`);
  }
  return value;
}

interface OpenApiResponse {
  readonly description: string;
  readonly content?: Record<string, { readonly schema?: object }>;
  readonly headers?: Record<string, object>;
}

interface OpenApiDocument {
  readonly paths: Record<string, Record<string, { readonly responses: Record<string, OpenApiResponse> }>>;
  readonly components: { readonly schemas: Record<string, object> };
}

const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete'];

function operationsOf(document: OpenApiDocument): string[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((method) => HTTP_METHODS.includes(method))
      .map((method) => `${method.toUpperCase()} ${path}`),
  );
}

/**
 * Checks responses against the document with Ajv. OpenAPI 3.0 schemas are not JSON Schema: they
 * are converted first (see toJsonSchema), and every object is closed, so that a field the
 * document does not name is reported as well as a missing or mistyped one.
 */
class ResponseValidator {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly compiled = new Map<object, ValidateFunction>();

  constructor(private readonly document: OpenApiDocument) {
    addFormats(this.ajv);
    const definitions = Object.fromEntries(
      Object.entries(document.components.schemas).map(([name, schema]) => [name, toJsonSchema(schema)]),
    );
    this.ajv.addSchema({ $id: COMPONENTS_ID, definitions });
  }

  responsesOf(operation: string): Record<string, OpenApiResponse> {
    const [method, path] = operation.split(' ');
    return this.document.paths[path]?.[method.toLowerCase()]?.responses ?? {};
  }

  /** Returns what the exchange does differently from the document; empty when it matches. */
  problemsOf(exchange: Exchange): string[] {
    const where = `${exchange.operation} ${exchange.status}`;
    const documented = this.responsesOf(exchange.operation)[String(exchange.status)];
    if (documented === undefined) {
      return [`${where}: the status is not documented`];
    }
    const problems = this.etagProblems(exchange, documented).map((problem) => `${where}: ${problem}`);
    if (documented.content === undefined) {
      return exchange.text === '' ? problems : [...problems, `${where}: a body is sent where the document gives none`];
    }
    const media = documented.content[exchange.mediaType];
    if (media === undefined) {
      return [...problems, `${where}: media type '${exchange.mediaType}' is not one of ${Object.keys(documented.content).join(', ')}`];
    }
    if (media.schema === undefined) {
      return [...problems, `${where}: ${exchange.mediaType} has no schema`];
    }
    const body = exchange.mediaType === 'application/json' ? (JSON.parse(exchange.text) as unknown) : exchange.text;
    return [...problems, ...this.errorsOf(media.schema, body).map((error) => `${where}: ${error}`)];
  }

  componentProblems(component: string, value: unknown): string[] {
    return this.errorsOf({ $ref: `#/components/schemas/${component}` }, value);
  }

  /** Checks that a GET sends an ETag exactly when the document lists one. Writes are not checked. */
  private etagProblems(exchange: Exchange, documented: OpenApiResponse): string[] {
    if (!exchange.operation.startsWith('GET ') || exchange.status >= 300) {
      return [];
    }
    const listed = documented.headers?.ETag !== undefined;
    if (listed && exchange.etag === null) return ['the documented ETag header is missing'];
    if (!listed && exchange.etag !== null) return [`ETag ${exchange.etag} is sent but not documented`];
    return [];
  }

  private errorsOf(schema: object, value: unknown): string[] {
    let validate = this.compiled.get(schema);
    if (validate === undefined) {
      validate = this.ajv.compile(toJsonSchema(schema) as object);
      this.compiled.set(schema, validate);
    }
    return validate(value) ? [] : (validate.errors ?? []).map(describeError);
  }
}

const COMPONENTS_ID = 'openapi-components';

/** Keywords whose value is a schema, or a list or map of schemas. */
const SCHEMA_KEYWORDS = new Set(['items', 'not', 'additionalProperties']);
const SCHEMA_LIST_KEYWORDS = new Set(['allOf', 'oneOf', 'anyOf']);

/**
 * Converts an OpenAPI 3.0 schema to JSON Schema. `nullable: true` adds `null` to the type, or
 * allows null beside a schema that composes others with `allOf`, `oneOf` or `anyOf`. Component
 * references point into the schema registered under COMPONENTS_ID. An object that names its
 * properties gets `additionalProperties: false` unless it sets that keyword.
 */
function toJsonSchema(schema: object): object {
  const { nullable, ...rest } = schema as Record<string, unknown>;
  const converted: Record<string, unknown> = {};
  for (const [keyword, value] of Object.entries(rest)) {
    if (keyword === '$ref' && typeof value === 'string') {
      converted.$ref = value.replace('#/components/schemas/', `${COMPONENTS_ID}#/definitions/`);
    } else if (keyword === 'properties' && typeof value === 'object' && value !== null) {
      converted.properties = Object.fromEntries(Object.entries(value).map(([name, property]) => [name, toJsonSchema(property as object)]));
    } else if (SCHEMA_LIST_KEYWORDS.has(keyword) && Array.isArray(value)) {
      converted[keyword] = value.map((item) => toJsonSchema(item as object));
    } else if (SCHEMA_KEYWORDS.has(keyword) && typeof value === 'object' && value !== null) {
      converted[keyword] = toJsonSchema(value);
    } else {
      converted[keyword] = value;
    }
  }
  if (converted.properties !== undefined && converted.additionalProperties === undefined) {
    converted.additionalProperties = false;
  }
  if (nullable !== true) {
    return converted;
  }
  const composes = [...SCHEMA_LIST_KEYWORDS].some((keyword) => keyword in converted);
  if (composes || typeof converted.type !== 'string') {
    return { anyOf: [converted, { type: 'null' }] };
  }
  return { ...converted, type: [converted.type, 'null'] };
}

function describeError(error: ErrorObject): string {
  const extra = error.keyword === 'additionalProperties' ? ` '${String(error.params.additionalProperty)}'` : '';
  return `${error.instancePath === '' ? 'body' : error.instancePath} ${error.message ?? error.keyword}${extra}`;
}
