/**
 * Header names that commands carry from the publisher to the handler, so a handler can give
 * the events it appends the right correlation and causation ids. Names that start with `Nats-`
 * are reserved by the broker and rejected on publish.
 */
export const MESSAGE_HEADERS = {
  correlationId: 'Correlation-Id',
  causationId: 'Causation-Id',
  /** ISO-8601 instant at which the publisher decided to send the command. */
  decidedAt: 'Decided-At',
} as const;
