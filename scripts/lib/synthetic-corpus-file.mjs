/**
 * Writes the repository's one synthetic corpus (src/corpus/synthetic.ts) to a JSONL file, for
 * `scripts/synth-corpus.mjs` and the benchmark. The file appears under its name only when complete.
 */
import { createWriteStream } from 'node:fs';
import { rename } from 'node:fs/promises';
import { tsImport } from 'tsx/esm/api';

const { syntheticCorpus } = await tsImport('../../src/corpus/synthetic.ts', import.meta.url);

/**
 * Streams the corpus of `papers` papers (the real ones first) recombined from `real` with `seed`
 * to `path`; resolves with the number of papers written.
 */
export async function writeSyntheticCorpus(path, real, { papers, seed }) {
  const partial = `${path}.${process.pid}.part`;
  const out = createWriteStream(partial);
  let written = 0;
  for (const paper of syntheticCorpus(real, { papers, seed })) {
    if (!out.write(`${JSON.stringify(paper)}\n`)) await new Promise((r) => out.once('drain', r));
    written++;
  }
  await new Promise((resolve, reject) => out.end((e) => (e ? reject(e) : resolve())));
  await rename(partial, path);
  return written;
}
