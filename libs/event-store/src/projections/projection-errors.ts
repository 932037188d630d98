import { GlobalPosition } from '../event-store.port';

export class ProjectionNotFoundError extends Error {
  readonly code = 'PROJECTION.NOT_FOUND';

  constructor(
    readonly projectionName: string,
    knownNames: readonly string[],
  ) {
    super(`projection '${projectionName}' is not registered with this runner (registered: ${knownNames.join(', ') || 'none'})`);
    this.name = 'ProjectionNotFoundError';
  }
}

export class ProjectionWaitTimeoutError extends Error {
  readonly code = 'PROJECTION.WAIT_TIMED_OUT';

  constructor(
    readonly position: GlobalPosition,
    /** Projections that had not reached `position`, with the position each had reached. */
    readonly behind: ReadonlyArray<{ readonly name: string; readonly position: GlobalPosition }>,
    readonly timeoutMs: number,
  ) {
    super(
      `projections did not reach position {commit: ${position.commit}, prepare: ${position.prepare}} within ${timeoutMs} ms: ` +
        behind
          .map(
            (projection) => `'${projection.name}' is at {commit: ${projection.position.commit}, prepare: ${projection.position.prepare}}`,
          )
          .join(', '),
    );
    this.name = 'ProjectionWaitTimeoutError';
  }
}
