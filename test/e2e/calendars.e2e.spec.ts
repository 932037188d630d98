import { countsWhen, createCampaign, EmbeddedService, importCsv, startEmbeddedService } from '../support/embedded-service';

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
