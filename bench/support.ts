import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Client } from 'pg';
import { POSTGRES_ADMIN_URL } from '../test/support/test-environment';

/**
 * Figures of one comparison, written by its script with `--json FILE` for `bench/run-all.ts` to
 * put in RESULTS.md. Every figure keeps its runs and the 1-minute load average read before each run.
 */
export interface BenchReport {
  readonly comparison: string;
  readonly title: string;
  readonly rows: readonly BenchRow[];
  /** Our figure over the peer's, or our figure over the goal, each row named by its label. */
  readonly ratios: readonly BenchRatio[];
  readonly notes: readonly string[];
}

export interface BenchRow {
  readonly label: string;
  readonly unit: string;
  readonly higherIsBetter: boolean;
  readonly runs: readonly number[];
  /** 1-minute load average read just before each run. */
  readonly loads: readonly number[];
  readonly goal?: number;
}

export interface BenchRatio {
  readonly label: string;
  readonly ours: string;
  /** Label of the peer's row; absent when the ratio is against the row's goal. */
  readonly peer?: string;
}

/** Collects the runs of each row in the order they are first recorded. */
export class RowCollector {
  private readonly rows = new Map<string, { unit: string; higherIsBetter: boolean; runs: number[]; loads: number[]; goal?: number }>();

  record(label: string, unit: string, value: number, load: number, options: { higherIsBetter?: boolean; goal?: number } = {}): void {
    const row = this.rows.get(label) ?? { unit, higherIsBetter: options.higherIsBetter ?? true, runs: [], loads: [], goal: options.goal };
    row.runs.push(value);
    row.loads.push(load);
    this.rows.set(label, row);
  }

  toRows(): BenchRow[] {
    return [...this.rows.entries()].map(([label, row]) => ({ label, ...row }));
  }
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function percentile(values: readonly number[], fraction: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
}

/** Returns the 1-minute load average, as `uptime` prints it, which every figure records because other work may share the machine. */
export function currentLoad(): number {
  return Math.round(loadavg()[0] * 100) / 100;
}

/** Creates a database named `<prefix>_<random>` on the local PostgreSQL; `drop()` removes it even while clients are connected. */
export async function createScratchDatabase(prefix: string): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  return {
    name,
    url: POSTGRES_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`),
    drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function adminQuery(sql: string): Promise<void> {
  const admin = new Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

export function writeReport(path: string | undefined, report: BenchReport): void {
  if (path !== undefined) writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
}

/** Reads `--flag value` from the command line. */
export function flagValue(args: readonly string[], flag: string): string | undefined {
  const index = args.indexOf(flag);
  return index === -1 ? undefined : args[index + 1];
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function formatNumber(value: number, digits = 0): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
