/**
 * Workers adapter of the records' store (src/insights/store.ts): a D1 database bound as
 * FEEDBACK_DB. The Node entry has the SQLite one (src/sqlite-store.ts).
 */
import { migrate, SqlFeedbackStore, type SqlDriver } from './insights/store.js';

/** What the store uses of a D1 binding (Cloudflare's `D1Database`). */
export interface D1Database {
  prepare(query: string): D1Statement;
  batch(statements: D1Statement[]): Promise<unknown[]>;
}
interface D1Statement {
  bind(...values: unknown[]): D1Statement;
  all<T = Record<string, unknown>>(): Promise<{ results: T[] }>;
}

/** The store over a D1 binding; the tables are created on first use when missing. */
export async function openD1Store(db: D1Database): Promise<SqlFeedbackStore> {
  const driver: SqlDriver = {
    async all<T>(sql: string, params: readonly unknown[] = []) {
      return (await db.prepare(sql).bind(...params).all<T>()).results;
    },
    async batch(statements) {
      await db.batch(statements.map((s) => db.prepare(s.sql).bind(...s.params)));
    },
  };
  await migrate(driver);
  return new SqlFeedbackStore(driver);
}
