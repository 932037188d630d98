import { Injectable } from '@nestjs/common';
import { Counter, Histogram, register } from 'prom-client';

/** Prometheus metrics of the sender: submits by outcome, submit latency, claim-to-submit latency and dropped receipts. */
@Injectable()
export class SenderMetrics {
  private readonly submits =
    existing<Counter>('sms_submits_total') ??
    new Counter({ name: 'sms_submits_total', help: 'SMS submitted to the gateway, by outcome', labelNames: ['outcome'] });
  private readonly submitSeconds =
    existing<Histogram>('sms_submit_duration_seconds') ??
    new Histogram({
      name: 'sms_submit_duration_seconds',
      help: 'Time from submit to the provider response, in seconds',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    });
  private readonly dueToSubmitSeconds =
    existing<Histogram>('sms_claim_to_answer_seconds') ??
    new Histogram({
      name: 'sms_claim_to_answer_seconds',
      help: 'Time from the scheduler claim to the provider response, in seconds',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    });

  private readonly unmatchedReceipts =
    existing<Counter>('sms_unmatched_receipts_total') ??
    new Counter({
      name: 'sms_unmatched_receipts_total',
      help: 'Delivery receipts dropped because no attempt had their provider message id within the grace period',
    });

  countUnmatchedReceipt(): void {
    this.unmatchedReceipts.inc();
  }

  observeSubmit(outcome: string, submitMs: number, sinceClaimMs: number): void {
    this.submits.inc({ outcome });
    this.submitSeconds.observe(submitMs / 1000);
    this.dueToSubmitSeconds.observe(sinceClaimMs / 1000);
  }
}

function existing<Metric>(name: string): Metric | undefined {
  return register.getSingleMetric(name) as Metric | undefined;
}
