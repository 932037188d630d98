import { COMMAND_SUBJECT_PREFIX } from './command-transport.port';

/** Name of the stream that stores every command subject, unless a transport is configured with another. */
export const COMMAND_STREAM_NAME = 'SMS_COMMANDS';

/** Subjects the command stream captures: every `sms.commands.<name>`. */
export const COMMAND_STREAM_SUBJECTS: readonly string[] = [`${COMMAND_SUBJECT_PREFIX}.>`];

/** Subject of the send-SMS command, published by the scheduler for each claimed attempt and consumed by the sender. */
export const SEND_SMS_SUBJECT = `${COMMAND_SUBJECT_PREFIX}.send`;

/** Durable consumer through which senders compete for send commands. */
export const SEND_SMS_CONSUMER = 'sender';
