/** A small JSON client over fetch for end-to-end tests: returns status, headers and parsed body. */
export interface HttpResponse<Body = unknown> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Body;
}

export type RequestOptions = {
  readonly token?: string;
  readonly headers?: Record<string, string>;
  /** Sent as is when a string, as JSON otherwise. */
  readonly body?: unknown;
  readonly contentType?: string;
};

export function httpClient(baseUrl: string, defaultToken?: string) {
  const request = async <Body = Record<string, unknown>>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<HttpResponse<Body>> => {
    const token = options.token ?? defaultToken;
    const headers: Record<string, string> = { ...options.headers };
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      headers['content-type'] = options.contentType ?? 'application/json';
    }
    const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
    const text = await response.text();
    const isJson = (response.headers.get('content-type') ?? '').includes('json');
    return { status: response.status, headers: response.headers, body: (isJson && text !== '' ? JSON.parse(text) : text) as Body };
  };
  return {
    request,
    get: <Body = Record<string, unknown>>(path: string, options?: RequestOptions) => request<Body>('GET', path, options),
    post: <Body = Record<string, unknown>>(path: string, body?: unknown, options?: RequestOptions) =>
      request<Body>('POST', path, { ...options, body }),
  };
}

export type HttpClient = ReturnType<typeof httpClient>;

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<Value>(probe: () => Promise<Value | undefined>, timeoutMs: number, what: string): Promise<Value> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
