import { OptOutQueries } from '../opt-outs/opt-outs.queries';
import { createSqlProjections } from '../projections';
import { SqlReadModelStore } from '../read-model-queries';
import { ReporterQueries } from '../reporter/reporter.queries';
import { projectBatch } from '../testing/event-log';
import { TEST_DATABASES, useTestSchema } from '../testing/test-databases';
import { describeReadModelStoreContract } from './read-model-store.contract';

describe.each(TEST_DATABASES)('SQL read-model store on $name', (database) => {
  const test = useTestSchema(database);

  describeReadModelStoreContract(database.name, async () => {
    const projections = createSqlProjections({ schema: test.schema });
    return {
      store: new SqlReadModelStore(test.db, { schema: test.schema }),
      reporter: new ReporterQueries(test.db, { schema: test.schema }),
      optOutsByKey: (numberKey) => new OptOutQueries(test.db, { schema: test.schema, numberKey }),
      project: (events) => projectBatch(test.db, projections, events),
      teardown: async () => undefined,
    };
  });
});
