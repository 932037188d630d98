import { countsWhen, createCampaign, EmbeddedService, importCsv, startEmbeddedService } from '../support/embedded-service';
import { eventually } from '../support/http-client';

const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;

/** Calendars over REST, and the scheduler sending only while a campaign's calendar is open. */
describe('calendars', () => {
  let embedded: EmbeddedService;

  beforeAll(async () => {
    embedded = await startEmbeddedService({ receiptDelayMs: 50 });
  });

  afterAll(async () => {
    await embedded?.stop();
  });

  /** Waits until the calendar read model contains the calendar, because next-open reads it. */
  async function awaitCalendar(id: unknown): Promise<void> {
    await eventually(
      async () => ((await embedded.maker.get(`/calendars/${String(id)}`)).status === 200 ? true : undefined),
      10_000,
      `calendar ${String(id)} in the read model`,
    );
  }

  it('creates a calendar and finds its next open instant across the spring change', async () => {
    const { maker } = embedded;
    const openingHours = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'].map((day) => ({ day, from: '09:00', to: '18:00' }));
    const created = await maker.post('/calendars', { name: 'Paris office', timeZone: 'Europe/Paris', openingHours });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Paris office', timeZone: 'Europe/Paris', publicHolidays: null });

    const next = await maker.get(`/calendars/${String(created.body.id)}/next-open?after=2025-03-29T17:30:00Z`);
    expect(next).toMatchObject({ status: 200, body: { at: '2025-03-31T07:00:00.000Z' } });
    const local = await maker.get(`/calendars/${String(created.body.id)}/next-open?after=2025-03-29T18:30`);
    expect(local.body).toEqual({ at: '2025-03-31T07:00:00.000Z' });
  });

  it('builds the strict French preset with public holidays', async () => {
    const { maker } = embedded;
    const created = await maker.post('/calendars', { name: 'Strict', preset: 'FR_STRICT', closedDates: ['2026-12-24'] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ timeZone: 'Europe/Paris', publicHolidays: 'FR', closedDates: ['2026-12-24'] });
    const next = await maker.get(`/calendars/${String(created.body.id)}/next-open?after=2026-05-23T18:30:00Z`);
    expect(next.body).toEqual({ at: '2026-05-26T06:00:00.000Z' });
  });

  it('opens the af2m preset until 21:30', async () => {
    const { maker } = embedded;
    const created = await maker.post('/calendars', { name: 'af2m', preset: 'FR_AF2M_2026' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ timeZone: 'Europe/Paris', publicHolidays: 'FR', closedDates: [] });
    expect(created.body.openingHours).toEqual(
      ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'].map((day) => ({ day, from: '08:00', to: '21:30' })),
    );
    await awaitCalendar(created.body.id);

    // Monday 7 December 2026 at 21:29 in Paris (UTC+1) is still open.
    const open = await maker.get(`/calendars/${String(created.body.id)}/next-open?after=2026-12-07T20:29:00Z`);
    expect(open).toMatchObject({ status: 200, body: { at: '2026-12-07T20:29:00.000Z' } });
    // At 21:30 in Paris it closes until Tuesday 08:00 there.
    const closed = await maker.get(`/calendars/${String(created.body.id)}/next-open?after=2026-12-07T20:30:00Z`);
    expect(closed).toMatchObject({ status: 200, body: { at: '2026-12-08T07:00:00.000Z' } });
  });

  it('reads the US preset in the given zone', async () => {
    const { maker } = embedded;
    const created = await maker.post('/calendars', { name: 'US west', preset: 'US_RECIPIENT_HOURS', timeZone: 'America/Los_Angeles' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ timeZone: 'America/Los_Angeles', publicHolidays: null });
    await awaitCalendar(created.body.id);

    // Sunday 6 December 2026 at 21:30 in Los Angeles (UTC-8) is closed until Monday 08:00 there.
    const next = await maker.get(`/calendars/${String(created.body.id)}/next-open?after=2026-12-07T05:30:00Z`);
    expect(next).toMatchObject({ status: 200, body: { at: '2026-12-07T16:00:00.000Z' } });
  });

  it('rejects an unknown preset', async () => {
    const { maker } = embedded;
    const response = await maker.post('/calendars', { name: 'Lax', preset: 'FR_LAX' });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      statusCode: 400,
      code: 'REQUEST.INVALID',
      details: [{ field: 'preset', value: 'FR_LAX', rule: expect.stringContaining('FR_AF2M_2026') }],
    });
  });

  it('returns 404 for an unknown calendar', async () => {
    const { maker } = embedded;
    const response = await maker.get('/calendars/nope/next-open?after=2026-12-07T20:30:00Z');
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ statusCode: 404, code: 'CALENDAR.NOT_FOUND', message: expect.stringContaining("'nope'") });
  });

  it('rejects an invalid after date', async () => {
    const { maker } = embedded;
    const created = await maker.post('/calendars', { name: 'Strict', preset: 'FR_STRICT' });
    await awaitCalendar(created.body.id);
    const response = await maker.get(`/calendars/${String(created.body.id)}/next-open?after=garbage`);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      statusCode: 400,
      code: 'REQUEST.INVALID_DATE',
      details: [{ field: 'after', value: 'garbage', rule: expect.stringContaining('ISO-8601') }],
    });
  });

  it('rejects invalid rules naming each field', async () => {
    const { maker } = embedded;
    const reversed = await maker.post('/calendars', {
      name: 'Bad',
      timeZone: 'Europe/Paris',
      openingHours: [{ day: 'MON', from: '18:00', to: '09:00' }],
    });
    expect(reversed.status).toBe(400);
    expect(reversed.body).toMatchObject({ code: 'CALENDAR.INVALID', details: [{ field: 'openingHours[0].to', value: '09:00' }] });
    const noZone = await maker.post('/calendars', { name: 'Bad', openingHours: [] });
    expect(noZone.body).toMatchObject({ code: 'CALENDAR.INVALID', details: [{ field: 'timeZone' }] });
  });

  it('rejects a campaign whose calendar does not exist', async () => {
    const { maker } = embedded;
    const sender = await maker.post('/senders', { name: 'S', senderId: 'ACME' });
    const template = await maker.post('/templates', { name: 'T', body: 'Hi' });
    const response = await maker.post('/campaigns', {
      name: 'N',
      reference: 'R',
      senderId: sender.body.id,
      templateId: template.body.id,
      calendarId: 'nope',
    });
    expect(response).toMatchObject({
      status: 400,
      body: { code: 'CAMPAIGN.UNKNOWN_CALENDAR', details: [{ field: 'calendarId', value: 'nope' }] },
    });
  });

  it('sends nothing while the calendar is closed, and sends once it is open', async () => {
    const { maker, simulator } = embedded;
    const today = WEEKDAYS[new Date().getUTCDay()];
    const otherDays = WEEKDAYS.filter(
      (day) => day !== today && day !== WEEKDAYS[(new Date().getUTCDay() + 6) % 7] && day !== WEEKDAYS[(new Date().getUTCDay() + 1) % 7],
    );
    const closed = await maker.post('/calendars', {
      name: 'Closed now',
      timeZone: 'UTC',
      openingHours: otherDays.map((day) => ({ day, from: '00:00', to: '24:00' })),
    });
    const open = await maker.post('/calendars', {
      name: 'Always',
      timeZone: 'UTC',
      openingHours: WEEKDAYS.map((day) => ({ day, from: '00:00', to: '24:00' })),
    });
    const rows = ['phoneNumber', '0699000001', '0699000002'].join('\n');

    const closedCampaign = await createCampaign(maker, { body: 'Bonjour', campaign: { calendarId: closed.body.id } });
    const openCampaign = await createCampaign(maker, { body: 'Bonjour', campaign: { calendarId: open.body.id } });
    await importCsv(maker, closedCampaign, rows);
    await importCsv(maker, openCampaign, rows);
    const before = simulator.stats().accepted;

    await maker.post(`/campaigns/${closedCampaign}/status`, { status: 'ON' });
    await maker.post(`/campaigns/${openCampaign}/status`, { status: 'ON' });
    await countsWhen(maker, openCampaign, (counts) => counts.delivered === 2, 20_000, 'the open campaign delivered');
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    expect(simulator.stats().accepted - before).toBe(2);
    const { body } = await maker.get<{ counts: Record<string, number> }>(`/campaigns/${closedCampaign}`);
    expect(body.counts).toMatchObject({ pending: 2, inProgress: 0 });
  });
});
