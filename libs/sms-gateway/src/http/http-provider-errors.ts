/** Raised by the HttpProviderGateway constructor for an option it cannot use; the message never contains a secret. */
export class InvalidHttpProviderOptionError extends Error {
  readonly code = 'SMS_GATEWAY.INVALID_OPTION';

  constructor(
    readonly option: string,
    readonly shownValue: string,
    readonly rule: string,
  ) {
    super(`HTTP provider gateway option ${option} = ${shownValue} is invalid: it ${rule}`);
    this.name = 'InvalidHttpProviderOptionError';
  }
}

/** Raised by `start` when the webhook listener cannot listen on its host and port. */
export class WebhookListenError extends Error {
  readonly code = 'SMS_GATEWAY.WEBHOOK_LISTEN_FAILED';

  constructor(
    readonly address: string,
    options: { cause: unknown },
  ) {
    super(`HTTP provider webhook listener could not listen on ${address}: ${(options.cause as Error).message}`, options);
    this.name = 'WebhookListenError';
  }
}
