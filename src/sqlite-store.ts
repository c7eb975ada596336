/**
 * Node adapter of the records' store (src/insights/store.ts): SQLite in a file through
 * better-sqlite3. The Workers entry has the D1 one (src/d1-store.ts).
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrate, SqlFeedbackStore, type SqlDriver } from './insights/store.js';

export interface SqliteStore {
  store: SqlFeedbackStore;
  close(): void;
}

/**
 * Opens (and creates, with its folder) the database at `path` (`:memory:` for one that lives as
 * long as the process). WAL journal: readers do not wait for the writer, and several processes
 * (the server and `npm run gaps`) may open the file at once.
 */
export async function openSqliteStore(path: string): Promise<SqliteStore> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  // Each distinct statement is compiled once.
  const prepared = new Map<string, Database.Statement>();
  const prepare = (sql: string) => prepared.get(sql) ?? prepared.set(sql, db.prepare(sql)).get(sql)!;
  const driver: SqlDriver = {
    async all<T>(sql: string, params: readonly unknown[] = []) {
      return prepare(sql).all(...params) as T[];
    },
    async batch(statements) {
      db.transaction(() => {
        for (const s of statements) prepare(s.sql).run(...s.params);
      })();
    },
  };
  await migrate(driver);
  return { store: new SqlFeedbackStore(driver), close: () => db.close() };
}
