/** Nest injection tokens of the adapters. */
export const INFRASTRUCTURE = Symbol('INFRASTRUCTURE');
export const EVENT_STORE = Symbol('EVENT_STORE');
export const READ_DB = Symbol('READ_DB');
export const READ_STORE = Symbol('READ_STORE');
export const COMMAND_TRANSPORT = Symbol('COMMAND_TRANSPORT');
export const APP_CONFIG = Symbol('APP_CONFIG');
export const LOGGER = Symbol('LOGGER');
export const SECRETS = Symbol('SECRETS');
/** The SubjectKeys of personal data, which erasures delete. */
export const SUBJECT_KEYS = Symbol('SUBJECT_KEYS');
