import { KurrentDBClient, StreamNotFoundError } from '@kurrent/kurrentdb-client';

/** Schemes this store accepts. `esdb` is the former name of `kurrentdb`, which the client 1.x still reads with a warning. */
const CONNECTION_STRING = /^(esdb|kurrentdb)(\+discover)?:\/\//;

/** Raised at start when the server does not respond. The message names the URL without its credentials. */
export class KurrentDbUnreachableError extends Error {
  readonly code = 'EVENT_STORE.UNREACHABLE';

  constructor(
    readonly url: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'KurrentDbUnreachableError';
  }
}

/**
 * Opens a client and waits for one response from the server, so a wrong or unreachable URL fails
 * the start within `timeoutMs` instead of on the first command.
 */
export async function openKurrentDbClient(connectionString: string, timeoutMs: number): Promise<KurrentDBClient> {
  const match = CONNECTION_STRING.exec(connectionString);
  if (match === null) {
    throw new KurrentDbUnreachableError(
      maskConnectionString(connectionString),
      `KurrentDB connection string '${maskConnectionString(connectionString)}' is not valid: use kurrentdb://host:2113?tls=false or esdb://host:2113?tls=false`,
    );
  }
  const client = KurrentDBClient.connectionString(connectionString.replace(/^esdb/, 'kurrentdb'));
  try {
    await withTimeout(probe(client, timeoutMs), timeoutMs);
    return client;
  } catch (error) {
    await client.dispose().catch(() => undefined);
    const url = maskConnectionString(connectionString);
    const reason = error instanceof Error ? error.message : String(error);
    throw new KurrentDbUnreachableError(url, `KurrentDB at ${url} is unreachable: ${reason}`, { cause: error });
  }
}

/** Replaces the user and password of a connection string with `***`, for logs and errors. */
export function maskConnectionString(connectionString: string): string {
  return connectionString.replace(/^([a-z+]+:\/\/)[^@/]*@/i, '$1***@');
}

/** Reads a stream that does not exist: any user may, and the server returns "not found". */
async function probe(client: KurrentDBClient, timeoutMs: number): Promise<void> {
  try {
    for await (const event of client.readStream('sms-campaigns-connection-check', { maxCount: 1, deadline: timeoutMs })) {
      void event;
    }
  } catch (error) {
    if (!(error instanceof StreamNotFoundError)) {
      throw error;
    }
  }
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms without a response`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
