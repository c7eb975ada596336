/**
 * `npm run deploy:data [-- --out DIR] [--db NAME] [--vectorize NAME] [--full]`: writes, from the local
 * index (INDEX_DIR), the SQL files that load D1 and the NDJSON that loads Vectorize, and prints the
 * exact wrangler commands. Incremental: DIR/state.json records what was exported, so a second run
 * after a corpus change emits only the papers that changed and deletes the ones that are gone.
 * Run the printed commands before exporting again (or pass --full to re-export everything).
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { DEPLOY_FORMAT, planExport, type ExportState } from '../src/ingest/deploy-data.js';
import { loadIndex } from '../src/platform/node/index-files.js';

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: 'data/deploy' },
    db: { type: 'string', default: 'paper-chat' },
    vectorize: { type: 'string', default: 'paper-chat' },
    full: { type: 'boolean', default: false },
  },
});
const out = values.out!;
const config = loadConfig(process.env);
const index = await loadIndex(config.INDEX_DIR).catch((e: Error) => {
  console.error(`deploy:data: ${e.message}. Build the index first: npm run ingest`);
  process.exit(1);
});
const statePath = join(out, 'state.json');
const previous = values.full
  ? null
  : await readFile(statePath, 'utf8').then((t) => JSON.parse(t) as ExportState, () => null);
if (previous && previous.format !== DEPLOY_FORMAT) console.error(`deploy:data: ${statePath} is of another format; exporting everything`);
const plan = await planExport(index, previous);

await mkdir(out, { recursive: true });
for (const f of await readdir(out)) if (/\.(sql|ndjson)$/.test(f)) await rm(join(out, f));
for (const f of [...plan.sql, ...plan.vectors]) await writeFile(join(out, f.name), f.text);
await writeFile(statePath, JSON.stringify(plan.state));

const { added, changed, removed, unchanged } = plan.counts;
console.log(`deploy:data: ${added} new, ${changed} changed, ${removed} removed, ${unchanged} unchanged papers -> ${out}/`);
console.log('\nRun, in order:');
for (const f of plan.sql) console.log(`  npx wrangler d1 execute ${values.db} --remote --file ${join(out, f.name)}`);
for (const f of plan.vectors) console.log(`  npx wrangler vectorize upsert ${values.vectorize} --file ${join(out, f.name)}`);
if (plan.deleteVectorIds.length) console.log(`  npx wrangler vectorize delete-vectors ${values.vectorize} --ids ${plan.deleteVectorIds.join(' ')}`);
if (index.manifest.embedder && plan.vectors.length) {
  console.log(`\nThe Vectorize index must exist with dimension ${index.manifest.embedder.dim} and metric cosine:`);
  console.log(`  npx wrangler vectorize create ${values.vectorize} --dimensions ${index.manifest.embedder.dim} --metric cosine`);
}
