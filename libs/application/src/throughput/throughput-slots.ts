import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { SqlClient } from '@sms/platform';
import { MongoReadModelStore, quoteSchemaName, ReadModelStore } from '@sms/read-models';
import type { Collection, Db, MongoClient } from 'mongodb';
import { READ_SCHEMA } from '../infrastructure/infrastructure';
import { READ_DB, READ_STORE } from '../infrastructure/tokens';

/**
 * How far ahead slots are booked. The scheduler claims only targets that can be sent within it,
 * and a sender waits at most this long for a slot, far below the transport's redelivery delay.
 */
export const SLOT_HORIZON_MS = 2_000;

/** A throughput cap: at most `perSecond` sends under `key` in any second. */
export interface ThroughputLimit {
  /** `campaign:<id>` or `sender:<id>`. */
  readonly key: string;
  readonly perSecond: number;
}

/** Send slots booked together: local epoch milliseconds, oldest first, each at least every limit's interval apart. */
export type BookedSlots = readonly number[];

/**
 * Books send slots in the database, so that every process that sends under the same limits
 * shares one timetable. Each limit keeps the instant of its next free slot; a booking of n slots
 * moves it n intervals ahead, under a row lock. Slots are never closer than 1/perSecond, so any
 * window of one second or more contains at most perSecond slots plus one.
 *
 * Slot times come from the database clock and are turned into local time with the clock offset
 * read in the same statement, so processes whose clocks differ still share one timetable. Without
 * an SQL database (KurrentDB with MongoDB and no DATABASE_URL), the read models' MongoDB keeps the
 * timetable instead (see MongoSlotBook).
 */
@Injectable()
export class ThroughputSlots implements OnModuleInit {
  private readonly table = `${quoteSchemaName(READ_SCHEMA)}.throughput_slots`;
  private readonly mongo: MongoSlotBook | undefined;

  constructor(
    @Inject(READ_DB) private readonly db: SqlClient | undefined,
    @Inject(READ_STORE) readStore: ReadModelStore,
  ) {
    this.mongo =
      db === undefined && readStore instanceof MongoReadModelStore ? new MongoSlotBook(readStore.client, readStore.db) : undefined;
  }

  async onModuleInit(): Promise<void> {
    if (this.db === undefined) {
      return;
    }
    await this.db.query(`CREATE SCHEMA IF NOT EXISTS ${quoteSchemaName(READ_SCHEMA)}`);
    await this.db.query(`CREATE TABLE IF NOT EXISTS ${this.table} (key text PRIMARY KEY, next_at double precision NOT NULL)`);
  }

  /**
   * Books up to `wanted` slots under all `limits` at once, none more than `horizonMs` ahead, and
   * returns them; fewer, or none, when the limits are booked that far already. Each slot is the
   * first instant free under every limit, and moves every limit's next free slot past it, so
   * the spacing holds for each limit whoever else books under it.
   */
  async book(limits: readonly ThroughputLimit[], wanted: number, horizonMs: number): Promise<BookedSlots> {
    if (limits.length === 0 || wanted < 1) {
      return [];
    }
    const keys = [...new Set(limits.map((limit) => limit.key))].sort();
    if (this.db === undefined) {
      if (this.mongo === undefined) {
        throw new Error('Internal error: send slots need an SQL database or the MongoDB read models');
      }
      return this.mongo.book(keys, limits, wanted, horizonMs);
    }
    return this.db.transaction(async (tx) => {
      await tx.query(`INSERT INTO ${this.table} (key, next_at) SELECT unnest($1::text[]), 0 ON CONFLICT (key) DO NOTHING`, [keys]);
      // Rows are locked in key order, so two bookings under overlapping limits never deadlock.
      const { rows } = await tx.query<{ key: string; next_at: number; now_ms: number }>(
        `SELECT key, next_at, extract(epoch FROM clock_timestamp()) * 1000 AS now_ms
         FROM ${this.table} WHERE key = ANY($1::text[]) ORDER BY key FOR UPDATE`,
        [keys],
      );
      const nowMs = Number(rows[0].now_ms);
      const next = new Map(rows.map((row) => [row.key, Math.max(Number(row.next_at), nowMs)]));
      const slots = timetable(limits, next, wanted, nowMs + horizonMs);
      if (slots.length > 0) {
        await tx.query(
          `UPDATE ${this.table} SET next_at = booked.next_at
           FROM unnest($1::text[], $2::double precision[]) AS booked(key, next_at)
           WHERE ${this.table}.key = booked.key`,
          [keys, keys.map((key) => next.get(key))],
        );
      }
      const offset = Date.now() - nowMs;
      return slots.map((slot) => slot + offset);
    });
  }
}

/** A limit's next free slot as MongoDB keeps it, in epoch milliseconds. */
interface SlotDocument {
  _id: string;
  nextAt: number;
}

/**
 * The timetable of send slots in a MongoDB collection, booked in a transaction. Each booking first
 * bumps a counter on every limit's document, in key order: a concurrent booking under the same
 * limit then meets a write conflict, and `withTransaction` runs it again on the new values.
 *
 * NOTE: slot times come from each process's own clock here, not from the database's as in the
 * SQL timetable. Processes whose clocks differ by d ms may space their sends d ms too closely.
 */
class MongoSlotBook {
  private readonly slots: Collection<SlotDocument & { bookings?: number }>;

  constructor(
    private readonly client: MongoClient,
    db: Db,
  ) {
    this.slots = db.collection('throughput_slots');
  }

  async book(keys: readonly string[], limits: readonly ThroughputLimit[], wanted: number, horizonMs: number): Promise<BookedSlots> {
    const session = this.client.startSession();
    try {
      return await session.withTransaction(async () => {
        const next = new Map<string, number>();
        const nowMs = Date.now();
        for (const key of keys) {
          const stored = await this.slots.findOneAndUpdate(
            { _id: key },
            { $inc: { bookings: 1 }, $setOnInsert: { nextAt: 0 } },
            { upsert: true, returnDocument: 'after', session },
          );
          next.set(key, Math.max(stored?.nextAt ?? 0, nowMs));
        }
        const slots = timetable(limits, next, wanted, nowMs + horizonMs);
        if (slots.length > 0) {
          await this.slots.bulkWrite(
            keys.map((key) => ({ updateOne: { filter: { _id: key }, update: { $set: { nextAt: next.get(key) ?? nowMs } } } })),
            { session },
          );
        }
        return slots;
      });
    } finally {
      await session.endSession();
    }
  }
}

/**
 * Takes up to `wanted` slots from `next` (each limit's next free slot, moved on in place), none
 * later than `latest`: each slot is the first instant free under every limit.
 */
function timetable(limits: readonly ThroughputLimit[], next: Map<string, number>, wanted: number, latest: number): number[] {
  const slots: number[] = [];
  while (slots.length < wanted) {
    const slot = Math.max(...limits.map((limit) => next.get(limit.key) ?? 0));
    if (slot > latest) break;
    slots.push(slot);
    for (const limit of limits) next.set(limit.key, slot + 1000 / limit.perSecond);
  }
  return slots;
}

/** The limits a campaign's sends are under: its own cap and its sender's. */
export function limitsOf(
  campaign: { id: string; throughputPerSecond: number | null },
  sender: { id: string; throughputPerSecond: number | null },
): ThroughputLimit[] {
  const limits: ThroughputLimit[] = [];
  if (campaign.throughputPerSecond !== null) limits.push({ key: `campaign:${campaign.id}`, perSecond: campaign.throughputPerSecond });
  if (sender.throughputPerSecond !== null) limits.push({ key: `sender:${sender.id}`, perSecond: sender.throughputPerSecond });
  return limits;
}
