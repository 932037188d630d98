export { MongoReadModelStore, connectMongoReadModelStore, createMongoProjections } from './mongo-read-model-store';
export type { MongoReadModelStoreOptions } from './mongo-read-model-store';
export type { MongoProjection } from './mongo-projection';
export { MongoProjectionRunner } from './mongo-projection-runner';
export type { MongoProjectionRunnerOptions } from './mongo-projection-runner';
export { MongoReporterQueries } from './mongo-reporter.queries';
export { MongoUnreachableError, maskMongoUrl } from './mongo-connection';
