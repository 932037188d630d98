import { ExpectedRevision, StreamRevision } from './event-store.port';

/** Tells whether a stream at `actual` (-1 when it does not exist) satisfies `expected`. */
export function matchesExpectedRevision(expected: ExpectedRevision, actual: StreamRevision): boolean {
  switch (expected) {
    case 'any':
      return true;
    case 'no_stream':
      return actual === -1;
    case 'stream_exists':
      return actual >= 0;
    default:
      return expected === actual;
  }
}
