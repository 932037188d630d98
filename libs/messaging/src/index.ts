export * from './command-transport.port';
export * from './errors';
export * from './headers';
export type { TransportLogger } from './logger';
export { DEFAULT_ACK_WAIT_MS, MIN_ACK_WAIT_MS } from './message-rules';
export { filterIsSubsetOf, filtersOverlap, isValidSubject, subjectMatchesFilter } from './subject-filter';
export * from './subjects';
export {
  createInProcessTransport,
  DEFAULT_DUPLICATE_WINDOW_MS,
  InProcessTransport,
  type InProcessTransportOptions,
} from './in-process/in-process-transport';
export {
  connectJetStreamTransport,
  JETSTREAM_DEFAULTS,
  JetStreamTransport,
  maskUrlCredentials,
  type JetStreamTransportOptions,
} from './nats/jetstream-transport';
export type { StreamRetention } from './nats/jetstream-setup';
