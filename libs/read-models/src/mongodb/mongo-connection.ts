import { MongoClient } from 'mongodb';

/** Raised at start when MongoDB does not respond. The message names the URL without its credentials. */
export class MongoUnreachableError extends Error {
  readonly code = 'READ_MODEL.UNREACHABLE';

  constructor(
    readonly url: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MongoUnreachableError';
  }
}

/**
 * Connects and pings within `timeoutMs`, so a wrong or unreachable URL fails the start at once
 * instead of after the driver's 30 s server selection timeout.
 */
export async function connectMongoClient(url: string, timeoutMs: number): Promise<MongoClient> {
  const masked = maskMongoUrl(url);
  if (!/^mongodb(\+srv)?:\/\//.test(url)) {
    throw new MongoUnreachableError(masked, `MongoDB URL '${masked}' is not valid: use mongodb://host:27017/database or mongodb+srv://`);
  }
  const client = new MongoClient(url, { serverSelectionTimeoutMS: timeoutMs, connectTimeoutMS: timeoutMs });
  try {
    await client.connect();
    await client.db('admin').command({ ping: 1 });
    return client;
  } catch (error) {
    await client.close().catch(() => undefined);
    const reason = error instanceof Error ? error.message : String(error);
    throw new MongoUnreachableError(masked, `MongoDB at ${masked} is unreachable: ${reason}`, { cause: error });
  }
}

/** Replaces the user and password of a MongoDB URL with `***`, for logs and errors. */
export function maskMongoUrl(url: string): string {
  return url.replace(/^([a-z+]+:\/\/)[^@/]*@/i, '$1***@');
}
