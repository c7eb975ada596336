import type { DecisionTrace } from '../protocol/chat.js';
import type { FeedbackRequest } from '../protocol/feedback.js';

/**
 * What the server keeps of its own use, for the site owner: the answers it gave (so feedback can
 * name them by signature), readers' feedback, and the questions it could not answer well (coverage
 * gaps). One schema and one store over any SQLite dialect: better-sqlite3 on Node, D1 on Workers
 * (the drivers beside each entry). Nothing about the reader is stored beyond what they typed: no
 * address, no user agent, no account.
 */

/** What the pipeline decided about a question: an answer, or why it abstained. */
export type Decision = DecisionTrace['kind'];

/** An answer the server wrote, under the signature it carried. */
export interface AnswerRecord {
  signature: string;
  /** The question as the reader typed it (the conversation's last user message). */
  question: string;
  /** The cited paper ids, in citation order. */
  citations: string[];
  abstained: boolean;
  verified: number | null;
  decision: Decision;
  /** The calibrated probability that the collection answers the question; null when none was computed. */
  probability: number | null;
  /** Milliseconds since the epoch. */
  at: number;
}

export type FeedbackRecord = FeedbackRequest & { at: number };

/** A question answered weakly or not at all. */
export interface GapRecord {
  question: string;
  decision: Decision;
  probability: number | null;
  at: number;
}

/** Votes on the answers that cited one paper, and how often readers marked that citation wrong. */
export interface PaperFeedback {
  paper: string;
  up: number;
  down: number;
  wrongCitation: number;
}

/** The records' store. Every method may reach a database over the network (D1): all are async. */
export interface FeedbackStore {
  /** Records an answer; an answer given again (same signature) keeps its latest question and time. */
  recordAnswer(answer: AnswerRecord): Promise<void>;
  /** The answer this server gave under `signature`, or null when it never gave one. */
  answer(signature: string): Promise<AnswerRecord | null>;
  /** Stores feedback on a recorded answer; returns its id. */
  addFeedback(feedback: FeedbackRecord): Promise<string>;
  logGap(gap: GapRecord): Promise<void>;
  /** The latest gaps, newest first. */
  gaps(limit: number): Promise<GapRecord[]>;
  /** How many recorded answers cited each paper (papers never cited are absent). */
  citedCounts(): Promise<Map<string, number>>;
  feedbackByPaper(): Promise<PaperFeedback[]>;
  /** Feedback totals over all answers. */
  feedbackTotals(): Promise<{ up: number; down: number; comments: number }>;
}

/** One schema for every driver: SQLite's dialect, which D1 speaks too. Statements run in order, each alone. */
export const SCHEMA: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS answers (
    signature TEXT PRIMARY KEY,
    question TEXT NOT NULL,
    abstained INTEGER NOT NULL,
    verified REAL,
    decision TEXT NOT NULL,
    probability REAL,
    created_at INTEGER NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS answer_citations (
    signature TEXT NOT NULL,
    position INTEGER NOT NULL,
    paper_id TEXT NOT NULL,
    PRIMARY KEY (signature, position)
  )`,
  'CREATE INDEX IF NOT EXISTS answer_citations_paper ON answer_citations (paper_id)',
  `CREATE TABLE IF NOT EXISTS feedback (
    id TEXT PRIMARY KEY,
    signature TEXT NOT NULL,
    vote TEXT NOT NULL CHECK (vote IN ('up', 'down')),
    citation TEXT,
    comment TEXT,
    created_at INTEGER NOT NULL
  )`,
  'CREATE INDEX IF NOT EXISTS feedback_signature ON feedback (signature)',
  `CREATE TABLE IF NOT EXISTS gaps (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    question TEXT NOT NULL,
    decision TEXT NOT NULL,
    probability REAL,
    created_at INTEGER NOT NULL
  )`,
  'CREATE INDEX IF NOT EXISTS gaps_created ON gaps (created_at)',
];

/** A statement and its parameters. */
export interface Statement {
  sql: string;
  params: readonly unknown[];
}

/** What the store needs of a SQLite connection: better-sqlite3 (src/sqlite-store.ts) or D1 (src/d1-store.ts). */
export interface SqlDriver {
  all<T>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs the statements in order, atomically (one transaction, or a D1 batch). */
  batch(statements: readonly Statement[]): Promise<void>;
}

interface AnswerRow {
  signature: string;
  question: string;
  abstained: number;
  verified: number | null;
  decision: Decision;
  probability: number | null;
  created_at: number;
}

/** Creates the tables when they are missing. */
export const migrate = (db: SqlDriver) => db.batch(SCHEMA.map((sql) => ({ sql, params: [] })));

/** The store over a SQL driver: the one implementation of `FeedbackStore`. */
export class SqlFeedbackStore implements FeedbackStore {
  constructor(private readonly db: SqlDriver) {}

  recordAnswer(a: AnswerRecord): Promise<void> {
    return this.db.batch([
      {
        sql: `INSERT INTO answers (signature, question, abstained, verified, decision, probability, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
              ON CONFLICT (signature) DO UPDATE SET question = excluded.question, decision = excluded.decision, probability = excluded.probability, created_at = excluded.created_at`,
        params: [a.signature, a.question, a.abstained ? 1 : 0, a.verified, a.decision, a.probability, a.at],
      },
      { sql: 'DELETE FROM answer_citations WHERE signature = ?', params: [a.signature] },
      ...a.citations.map((id, i) => ({ sql: 'INSERT INTO answer_citations (signature, position, paper_id) VALUES (?, ?, ?)', params: [a.signature, i, id] })),
    ]);
  }

  async answer(signature: string): Promise<AnswerRecord | null> {
    const [row] = await this.db.all<AnswerRow>('SELECT * FROM answers WHERE signature = ?', [signature]);
    if (!row) return null;
    const cited = await this.db.all<{ paper_id: string }>('SELECT paper_id FROM answer_citations WHERE signature = ? ORDER BY position', [signature]);
    return {
      signature: row.signature,
      question: row.question,
      citations: cited.map((c) => c.paper_id),
      abstained: row.abstained === 1,
      verified: row.verified,
      decision: row.decision,
      probability: row.probability,
      at: row.created_at,
    };
  }

  async addFeedback(f: FeedbackRecord): Promise<string> {
    const id = crypto.randomUUID();
    await this.db.batch([
      {
        sql: 'INSERT INTO feedback (id, signature, vote, citation, comment, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        params: [id, f.signature, f.vote, f.citation ?? null, f.comment || null, f.at],
      },
    ]);
    return id;
  }

  logGap(g: GapRecord): Promise<void> {
    return this.db.batch([{ sql: 'INSERT INTO gaps (question, decision, probability, created_at) VALUES (?, ?, ?, ?)', params: [g.question, g.decision, g.probability, g.at] }]);
  }

  async gaps(limit: number): Promise<GapRecord[]> {
    const rows = await this.db.all<{ question: string; decision: Decision; probability: number | null; created_at: number }>(
      'SELECT question, decision, probability, created_at FROM gaps ORDER BY created_at DESC, id DESC LIMIT ?',
      [limit],
    );
    return rows.map((r) => ({ question: r.question, decision: r.decision, probability: r.probability, at: r.created_at }));
  }

  async citedCounts(): Promise<Map<string, number>> {
    const rows = await this.db.all<{ paper_id: string; n: number }>('SELECT paper_id, COUNT(*) AS n FROM answer_citations GROUP BY paper_id');
    return new Map(rows.map((r) => [r.paper_id, r.n]));
  }

  async feedbackByPaper(): Promise<PaperFeedback[]> {
    const rows = await this.db.all<{ paper: string; up: number; down: number; wrong: number }>(
      `SELECT c.paper_id AS paper,
              SUM(CASE WHEN f.vote = 'up' THEN 1 ELSE 0 END) AS up,
              SUM(CASE WHEN f.vote = 'down' THEN 1 ELSE 0 END) AS down,
              SUM(CASE WHEN f.citation = c.paper_id THEN 1 ELSE 0 END) AS wrong
       FROM feedback f JOIN answer_citations c ON c.signature = f.signature
       GROUP BY c.paper_id
       ORDER BY wrong + down DESC, up DESC, paper`,
    );
    return rows.map((r) => ({ paper: r.paper, up: r.up, down: r.down, wrongCitation: r.wrong }));
  }

  async feedbackTotals(): Promise<{ up: number; down: number; comments: number }> {
    const [row] = await this.db.all<{ up: number | null; down: number | null; comments: number | null }>(
      `SELECT SUM(CASE WHEN vote = 'up' THEN 1 ELSE 0 END) AS up, SUM(CASE WHEN vote = 'down' THEN 1 ELSE 0 END) AS down,
              SUM(CASE WHEN comment IS NOT NULL THEN 1 ELSE 0 END) AS comments FROM feedback`,
    );
    return { up: row?.up ?? 0, down: row?.down ?? 0, comments: row?.comments ?? 0 };
  }
}
