/**
 * Command line: `npm run ingest [-- --corpus FILE] [--force]` builds the index;
 * `npm run ask -- "question"` answers one question with a numbered source list; `npm run gaps`
 * prints the coverage report (src/gaps.ts).
 */
import { ForeignFolderError } from './platform/node/index-files.js';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config.js';
import { loadCorpus } from './corpus/load.js';
import { CorpusError } from './corpus/parse-json.js';
import { describeIssues, ingestWithProgress } from './ingest/report.js';
import { buildApp, corpusToServe } from './node.js';
import { loadEmbedder } from './platform/node/load-embedder.js';
import type { ChatResult } from './protocol/chat.js';
import { gapsCommand, GAPS_USAGE } from './gaps.js';

const USAGE = `usage:
  npm run ingest [-- --corpus FILE] [--force]   build data/index from the corpus (skipped when current)
  npm run ask -- "your question"                answer one question from the command line
${GAPS_USAGE}`;

async function ingestCommand(args: string[]) {
  const { values } = parseArgs({ args, options: { corpus: { type: 'string' }, force: { type: 'boolean', default: false } } });
  const config = loadConfig({ ...process.env, ...(values.corpus ? { CORPUS_PATH: values.corpus } : {}) });
  const corpus = await loadCorpus(config.CORPUS_PATH);
  for (const line of describeIssues(corpus.issues)) console.error(line);
  const embedding = await loadEmbedder({
    model: config.EMBEDDING_MODEL,
    modelsDir: config.MODELS_DIR,
    allowRemote: config.ALLOW_REMOTE_MODELS,
    timeoutMs: config.EMBEDDING_LOAD_TIMEOUT_MS,
  });
  if (embedding.error) console.error(`warning: ${embedding.error}`);
  await ingestWithProgress({ corpus, corpusPath: config.CORPUS_PATH, indexDir: config.INDEX_DIR, embedding, force: values.force }, (m) => console.log(m), true);
}

async function askCommand(args: string[]) {
  const question = args.join(' ').trim();
  if (!question) throw new ConfigError(`no question given\n${USAGE}`);
  const silent = () => {};
  const log = (m: string) => (m.startsWith('warning') ? console.error(m.split('. ')[0]) : silent());
  const loaded = loadConfig(process.env);
  const { answerer } = await buildApp({ ...loaded, CORPUS_PATH: await corpusToServe(loaded, process.env, log) }, log);
  let result: ChatResult | null = null;
  for await (const event of answerer.answer([{ role: 'user', content: question }])) {
    if (event.type === 'done') result = event.result;
    if (event.type === 'error') throw new Error(event.message);
  }
  if (!result) throw new Error('no answer');
  console.log(`\n${result.answer}\n`);
  if (result.citations.length) {
    console.log('Sources:');
    for (const c of result.citations) console.log(`  [${c.n}] ${c.title}  (id: ${c.id})`);
  }
  if (result.related?.length) {
    console.log('Related, but not answering this:');
    for (const r of result.related) console.log(`  - ${r.title}  (id: ${r.id})`);
  }
  if (result.fallback) console.log(`\n(extractive answer: ${result.fallback})`);
}

const [command, ...rest] = process.argv.slice(2);
const commands: Record<string, (args: string[]) => Promise<void>> = { ingest: ingestCommand, ask: askCommand, gaps: gapsCommand };
const run = command ? commands[command] : undefined;
if (!run) {
  console.error(USAGE);
  process.exit(2);
}
run(rest).catch((e: Error) => {
  if (e instanceof ConfigError || e instanceof CorpusError || e instanceof ForeignFolderError) {
    console.error(`paper chat: ${e.message}`);
    process.exit(1);
  }
  console.error(e);
  process.exit(1);
});
