/**
 * `npm run gaps`: the coverage report from the server's database (DATABASE_PATH) on the command
 * line: the top unanswered topics with examples and counts, the papers never cited, feedback by
 * paper. Node only (src/cli.ts runs it); `/admin` shows the same report.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config.js';
import type { Paper } from './corpus/schema.js';
import { loadIndex } from './platform/node/index-files.js';
import { buildReport, reportText, type PaperLookup } from './insights/report.js';
import { loadEmbedder } from './platform/node/load-embedder.js';
import { openSqliteStore } from './sqlite-store.js';

export const GAPS_USAGE = '  npm run gaps [-- --lexical] [--json]              coverage report: unanswered topics, papers never cited, feedback';

/** The papers of the built index, or none (the report then lists no papers never cited). */
async function indexPapers(indexDir: string): Promise<PaperLookup> {
  let papers: readonly Paper[] | null = null;
  try {
    papers = (await loadIndex(indexDir)).papers;
  } catch (e) {
    console.error(`gaps: no index to name the papers (${(e as Error).message})`);
  }
  const byId = new Map((papers ?? []).map((p) => [p.id, p]));
  return { papers, getPapers: async (ids) => ids.flatMap((id) => byId.get(id) ?? []) };
}

export async function gapsCommand(args: string[]) {
  const { values } = parseArgs({ args, options: { lexical: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } } });
  const config = loadConfig(process.env);
  if (config.DATABASE_PATH === ':memory:' || !existsSync(config.DATABASE_PATH)) {
    throw new ConfigError(`no database at ${config.DATABASE_PATH}: the server writes it as it answers (with FEEDBACK or GAP_LOG on); set DATABASE_PATH to the server's`);
  }
  const embedding = values.lexical
    ? null
    : await loadEmbedder({ model: config.EMBEDDING_MODEL, modelsDir: config.MODELS_DIR, allowRemote: config.ALLOW_REMOTE_MODELS, timeoutMs: config.EMBEDDING_LOAD_TIMEOUT_MS });
  if (embedding?.error) console.error(`gaps: grouping by words (${embedding.error.split('. ')[0]})`);
  const { store, close } = await openSqliteStore(config.DATABASE_PATH);
  try {
    const report = await buildReport(store, await indexPapers(config.INDEX_DIR), embedding?.embedder ?? null);
    console.log(values.json ? JSON.stringify(report, null, 2) : reportText(report));
  } finally {
    close();
  }
}
