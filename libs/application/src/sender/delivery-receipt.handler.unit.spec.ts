import pino from 'pino';
import { register } from 'prom-client';
import { BatchingAppender } from '../commands/batching-appender';
import { CommandExecutor } from '../commands/command-executor';
import { loadConfig } from '../config/app-config';
import { ReadModels } from '../read-models/read-models.service';
import { DeliveryReceiptHandler } from './delivery-receipt.handler';
import { RecentSubmissions } from './recent-submissions';
import { ReplyHandler } from './reply.handler';
import { SenderMetrics } from './sender.metrics';

/** A handler whose read model never finds an attempt, and the warnings it logs. */
function handlerMatchingNothing(graceMs: number) {
  const warnings: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'silent' });
  logger.warn = ((fields: Record<string, unknown>) => warnings.push(fields)) as typeof logger.warn;
  const readModels = { queries: { targets: { findReceiptTargets: async () => [] } } } as unknown as ReadModels;
  const handler = new DeliveryReceiptHandler(
    {} as CommandExecutor,
    readModels,
    {} as BatchingAppender,
    new RecentSubmissions(),
    {} as ReplyHandler,
    new SenderMetrics(),
    loadConfig({ SENDER_UNMATCHED_RECEIPT_MS: String(graceMs) }),
    logger,
  );
  return { handler, warnings };
}

const receipt = { providerMessageId: 'smsc-42', status: 'DELIVERED' as const, doneAt: new Date('2026-12-05T10:00:00Z') };

async function droppedReceipts(): Promise<number> {
  const metric = await register.getSingleMetric('sms_unmatched_receipts_total')?.get();
  return metric?.values[0]?.value ?? 0;
}

describe('delivery receipt handler with an unmatched receipt', () => {
  afterEach(() => jest.useRealTimers());

  it('rejects it during the grace period, then drops it', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'], now: Date.parse('2026-12-05T10:00:00Z') });
    const { handler, warnings } = handlerMatchingNothing(600_000);
    const droppedBefore = await droppedReceipts();

    await expect(handler.onDeliveryReceipt(receipt)).rejects.toThrow("no attempt recorded yet for provider message id 'smsc-42'");
    jest.setSystemTime(Date.parse('2026-12-05T10:09:59Z'));
    await expect(handler.onDeliveryReceipt(receipt)).rejects.toThrow('no attempt recorded yet');
    expect(warnings).toEqual([]);

    jest.setSystemTime(Date.parse('2026-12-05T10:10:00Z'));
    await expect(handler.onDeliveryReceipt(receipt)).resolves.toBeUndefined();
    expect(warnings).toEqual([expect.objectContaining({ providerMessageId: 'smsc-42', status: 'DELIVERED' })]);
    expect(await droppedReceipts()).toBe(droppedBefore + 1);
  });

  it('drops it at once with a grace period of 0', async () => {
    const { handler, warnings } = handlerMatchingNothing(0);

    await expect(handler.onDeliveryReceipt(receipt)).resolves.toBeUndefined();
    expect(warnings).toHaveLength(1);
  });
});
