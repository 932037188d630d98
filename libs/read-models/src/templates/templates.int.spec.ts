import { streams, TemplateCreated } from '@sms/domain';
import { EventLog, newId, projectBatch, setUpProjections } from '../testing/event-log';
import { TEST_DATABASES, useTestSchema } from '../testing/test-databases';
import { TemplatesProjection } from './templates.projection';
import { TemplateQueries } from './templates.queries';

describe.each(TEST_DATABASES)('templates view on $name', (database) => {
  const test = useTestSchema(database);
  let projection: TemplatesProjection;
  let queries: TemplateQueries;
  let log: EventLog;

  beforeEach(async () => {
    projection = new TemplatesProjection({ schema: test.schema });
    queries = new TemplateQueries(test.db, { schema: test.schema });
    log = new EventLog();
    await setUpProjections(test.db, [projection]);
  });

  function created(id: string, name: string): TemplateCreated {
    return {
      type: 'TemplateCreated',
      data: {
        id,
        name,
        body: 'Bonjour {{firstName}}, votre rendez-vous est confirmé.',
        language: 'fr',
        placeholders: ['firstName'],
        encoding: 'GSM-7',
        characters: 55,
        segments: 1,
      },
    };
  }

  describe('a created template', () => {
    it('is returned by id with its placeholders and length', async () => {
      const id = newId('tpl');
      const event = created(id, 'Reminder');
      await projectBatch(test.db, [projection], [log.record(streams.template(id), event)]);

      expect(await queries.getTemplate(id)).toEqual({ ...event.data, revision: 0, createdAt: '2026-12-07T08:00:00.000Z' });
      expect(await queries.getTemplate(newId('tpl'))).toBeNull();
    });
  });

  describe('template list', () => {
    it('pages templates by name with the total', async () => {
      const events = ['Zeta', 'Eta', 'Theta'].map((name) => {
        const id = newId('tpl');
        return log.record(streams.template(id), created(id, name));
      });
      await projectBatch(test.db, [projection], events);

      const first = await queries.listTemplates({ pageSize: 2 });

      expect(first.items.map((template) => template.name)).toEqual(['Eta', 'Theta']);
      expect(first).toMatchObject({ total: 3, page: 1, pageSize: 2 });
    });
  });
});
