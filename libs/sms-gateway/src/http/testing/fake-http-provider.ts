import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { signWebhookPayload } from '../webhook-signature';

/** The fake provider's response to one submit. */
export type FakeResponse =
  /** Responds 201 `{ id }` after `delayMs` (default 0), then posts the status callbacks. */
  | { readonly kind: 'accept'; readonly delayMs?: number }
  | { readonly kind: 'status'; readonly status: number; readonly body?: unknown; readonly headers?: Readonly<Record<string, string>> }
  /** Reads the request and never responds, like a provider that took the message and stalled. */
  | { readonly kind: 'hang' }
  /** Reads the request, then resets the TCP connection without a response. */
  | { readonly kind: 'reset' };

/** One submit as the fake provider received it. */
export interface FakeSubmit {
  readonly authorization: string | undefined;
  readonly body: {
    readonly from: string;
    readonly to: string;
    readonly text: string;
    readonly reference: string;
    readonly statusCallbackUrl: string;
  };
  /** The message id returned, when the submit was accepted. */
  readonly id: string | undefined;
}

export interface FakeHttpProviderOptions {
  /** Submits without `Authorization: Bearer <apiKey>` get 401. */
  readonly apiKey: string;
  readonly webhookSecret: string;
  /** Statuses posted to the submit's statusCallbackUrl after an accept, in order. Default `accepted` then `delivered`. */
  readonly callbackStatuses?: readonly string[];
  /** Delay in ms between an accept and its first callback, and between callbacks. Default 20. */
  readonly callbackDelayMs?: number;
  /** Delay in ms before a callback that got an error response is posted again. Default 100. */
  readonly callbackRetryDelayMs?: number;
  /** Posts of one callback before it is given up. Default 100. */
  readonly maxCallbackAttempts?: number;
}

/**
 * A local stand-in for an SMS provider that speaks the HttpProviderGateway contract: it takes
 * `POST /messages`, responds as `setResponse` decides, and posts signed status callbacks for accepted
 * messages, posting each again until the webhook responds 2xx. For tests only: it listens on
 * 127.0.0.1 and keeps everything in memory.
 */
export class FakeHttpProvider {
  private readonly server: Server;
  private readonly recorded: FakeSubmit[] = [];
  private readonly pendingCallbacks = new Set<NodeJS.Timeout>();
  private responseFor: (submit: FakeSubmit['body']) => FakeResponse = () => ({ kind: 'accept' });
  private requests = 0;
  private openSubmits = 0;
  private maxOpenSubmits = 0;
  private callbacksAcknowledged = 0;
  private closed = false;

  constructor(private readonly options: FakeHttpProviderOptions) {
    this.server = createServer((request, response) => void this.handle(request, response));
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
  }

  /** Base URL to give the gateway as its provider URL. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Sets how each later submit is responded to, from its body. */
  setResponse(responseFor: (submit: FakeSubmit['body']) => FakeResponse): void {
    this.responseFor = responseFor;
  }

  /** Returns every submit received, in order. */
  submits(): readonly FakeSubmit[] {
    return [...this.recorded];
  }

  /** Returns the number of HTTP requests received on any path, readable or not. */
  requestCount(): number {
    return this.requests;
  }

  /** Returns the maximum number of submits received and not yet responded to at one time. */
  maxConcurrentSubmits(): number {
    return this.maxOpenSubmits;
  }

  /** Returns the number of callbacks the webhook responded to with 2xx. */
  acknowledgedCallbacks(): number {
    return this.callbacksAcknowledged;
  }

  /** Posts one signed callback and returns the HTTP status of the response. */
  async postCallback(url: string, body: unknown): Promise<number> {
    const rawBody = JSON.stringify(body);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-timestamp': timestamp,
        'x-signature': signWebhookPayload(this.options.webhookSecret, timestamp, rawBody),
      },
      body: rawBody,
    });
    await response.arrayBuffer();
    if (response.ok) {
      this.callbacksAcknowledged += 1;
    }
    return response.status;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.pendingCallbacks) {
      clearTimeout(timer);
    }
    this.pendingCallbacks.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    this.requests += 1;
    const chunks: Buffer[] = [];
    for await (const chunk of request) {
      chunks.push(chunk as Buffer);
    }
    if (request.method !== 'POST' || request.url !== '/messages') {
      respondJson(response, 404, { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url}` });
      return;
    }
    if (request.headers.authorization !== `Bearer ${this.options.apiKey}`) {
      respondJson(response, 401, { code: 'UNAUTHORIZED', message: 'invalid API key' });
      return;
    }

    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as FakeSubmit['body'];
    const reply = this.responseFor(body);
    const id = reply.kind === 'accept' ? `msg-${randomUUID()}` : undefined;
    this.recorded.push({ authorization: request.headers.authorization, body, id });

    switch (reply.kind) {
      case 'accept':
        this.openSubmits += 1;
        this.maxOpenSubmits = Math.max(this.maxOpenSubmits, this.openSubmits);
        await new Promise((resolve) => setTimeout(resolve, reply.delayMs ?? 0));
        this.openSubmits -= 1;
        respondJson(response, 201, { id });
        this.scheduleCallbacks(body.statusCallbackUrl, id as string);
        return;
      case 'status':
        respondJson(response, reply.status, reply.body ?? {}, reply.headers);
        return;
      case 'hang':
        return;
      case 'reset':
        request.socket.resetAndDestroy();
        return;
    }
  }

  private scheduleCallbacks(url: string, id: string): void {
    const statuses = this.options.callbackStatuses ?? ['accepted', 'delivered'];
    const delayMs = this.options.callbackDelayMs ?? 20;
    statuses.forEach((status, index) => {
      this.later(delayMs * (index + 1), () => this.postUntilAcknowledged(url, { id, status, doneAt: new Date().toISOString() }, 1));
    });
  }

  private async postUntilAcknowledged(url: string, body: unknown, attempt: number): Promise<void> {
    const status = await this.postCallback(url, body).catch(() => 0);
    if (status >= 200 && status < 300) {
      return;
    }
    if (attempt < (this.options.maxCallbackAttempts ?? 100)) {
      this.later(this.options.callbackRetryDelayMs ?? 100, () => this.postUntilAcknowledged(url, body, attempt + 1));
    }
  }

  private later(delayMs: number, action: () => Promise<void>): void {
    if (this.closed) {
      return;
    }
    const timer = setTimeout(() => {
      this.pendingCallbacks.delete(timer);
      void action();
    }, delayMs);
    this.pendingCallbacks.add(timer);
  }
}

function respondJson(response: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}
