import { errors as commandStatuses } from 'smpp';

/** Raised when an SMPP URL cannot be used; the message never contains the password. */
export class InvalidSmppUrlError extends Error {
  readonly code = 'SMS_GATEWAY.INVALID_SMPP_URL';

  constructor(
    readonly maskedUrl: string,
    readonly rule: string,
  ) {
    super(`SMPP URL '${maskedUrl}' is invalid: ${rule}`);
    this.name = 'InvalidSmppUrlError';
  }
}

export class InvalidGatewayOptionError extends Error {
  readonly code = 'SMS_GATEWAY.INVALID_OPTION';

  constructor(
    readonly option: string,
    readonly value: unknown,
    readonly rule: string,
  ) {
    super(`SMPP gateway option ${option} = ${String(value)} is invalid: it ${rule}`);
    this.name = 'InvalidGatewayOptionError';
  }
}

/** Raised by `start` when the SMSC rejects the bind with an authentication error. */
export class SmppBindRejectedError extends Error {
  readonly code = 'SMS_GATEWAY.BIND_REJECTED';
  readonly commandStatusName: string;

  constructor(
    readonly systemId: string,
    readonly commandStatus: number,
  ) {
    const statusName = commandStatusName(commandStatus);
    super(`SMSC rejected bind_transceiver of system_id '${systemId}' with ${statusName}; check the system_id and password in the SMPP URL`);
    this.commandStatusName = statusName;
    this.name = 'SmppBindRejectedError';
  }
}

/** Raised when the TCP connection or the bind does not complete. */
export class SmppConnectionError extends Error {
  readonly code = 'SMS_GATEWAY.CONNECTION_FAILED';

  constructor(
    readonly address: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`SMPP connection to ${address} failed: ${reason}`, options);
    this.name = 'SmppConnectionError';
  }
}

export class GatewayStateError extends Error {
  constructor(
    readonly code: 'SMS_GATEWAY.ALREADY_STARTED' | 'SMS_GATEWAY.CLOSED',
    message: string,
  ) {
    super(message);
    this.name = 'GatewayStateError';
  }
}

const statusNames = new Map<number, string>(Object.entries(commandStatuses).map(([name, status]) => [status, name]));

/** Returns the SMPP name of a command_status (`ESME_RTHROTTLED`), or its hex value for vendor codes. */
export function commandStatusName(status: number): string {
  return statusNames.get(status) ?? `0x${status.toString(16).padStart(8, '0')}`;
}
