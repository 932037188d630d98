export { MongoReadModelStore, connectMongoReadModelStore } from './mongo-read-model-store';
export type { MongoReadModelStoreOptions } from './mongo-read-model-store';
export { MongoProjectionRunner } from './mongo-projection-runner';
export type { MongoProjectionRunnerOptions } from './mongo-projection-runner';
export { MongoUnreachableError, maskMongoUrl } from './mongo-connection';
