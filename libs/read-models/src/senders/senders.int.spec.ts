import { streams } from '@sms/domain';
import { EventLog, newId, projectBatch, setUpProjections } from '../testing/event-log';
import { TEST_DATABASES, useTestSchema } from '../testing/test-databases';
import { SendersProjection } from './senders.projection';
import { SenderQueries } from './senders.queries';

describe.each(TEST_DATABASES)('senders view on $name', (database) => {
  const test = useTestSchema(database);
  let projection: SendersProjection;
  let queries: SenderQueries;
  let log: EventLog;

  beforeEach(async () => {
    projection = new SendersProjection({ schema: test.schema });
    queries = new SenderQueries(test.db, { schema: test.schema });
    log = new EventLog();
    await setUpProjections(test.db, [projection]);
  });

  function registered(id: string, name: string) {
    return log.record(streams.sender(id), {
      type: 'SenderRegistered',
      data: { id, name, senderId: name.slice(0, 11), kind: 'ALPHANUMERIC' },
    });
  }

  describe('a registered sender', () => {
    it('is returned by id', async () => {
      const id = newId('s');
      await projectBatch(test.db, [projection], [registered(id, 'Acme')]);

      expect(await queries.getSender(id)).toEqual({
        id,
        name: 'Acme',
        senderId: 'Acme',
        kind: 'ALPHANUMERIC',
        revision: 0,
        registeredAt: '2026-12-07T08:00:00.000Z',
        throughputPerSecond: null,
      });
      expect(await queries.getSender(newId('s'))).toBeNull();
    });
  });

  describe('sender list', () => {
    it('pages senders by name with the total', async () => {
      const names = ['Delta', 'Alpha', 'Charlie', 'Bravo'];
      const events = names.map((name) => registered(newId('s'), name));
      await projectBatch(test.db, [projection], events);
      await projectBatch(test.db, [projection], events);

      const second = await queries.listSenders({ page: 2, pageSize: 3 });

      expect(second.items.map((sender) => sender.name)).toEqual(['Delta']);
      expect(second).toMatchObject({ total: 4, page: 2, pageSize: 3 });
      expect((await queries.listSenders()).items.map((sender) => sender.name)).toEqual(['Alpha', 'Bravo', 'Charlie', 'Delta']);
    });
  });
});
