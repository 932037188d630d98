import { PgliteClient } from '@sms/platform';
import { describeEventStoreContract } from '../contract/event-store.contract';
import { dropSchema, freshSchemaName } from '../testing/test-databases';
import { createEmbeddedEventStore } from './sql-event-store';

// Opening PGlite takes seconds, so the whole file shares one instance and isolates each test in a
// schema of its own.
let pglite: PgliteClient;

beforeAll(async () => {
  pglite = await PgliteClient.open('memory://');
});

afterAll(async () => {
  await pglite.close();
});

describeEventStoreContract('PGlite', async () => {
  const schema = freshSchemaName('es_test');
  const store = await createEmbeddedEventStore({ client: pglite, schema });
  return {
    store,
    teardown: async () => {
      await store.close();
      await dropSchema(pglite, schema);
    },
  };
});
