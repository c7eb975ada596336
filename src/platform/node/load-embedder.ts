import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { EmbedderStatus } from '../../retrieval/embedder.js';
import { createFakeEmbedder, FAKE_MODEL_PATTERN } from '../../retrieval/fake-embedder.js';
import type { TransformersEmbedderOptions } from './transformers-embedder.js';

/**
 * The embedder named by `options.model`, or the reason there is none. Never throws.
 *
 * - `fake:<dim>` (e.g. `fake:384`): the deterministic fake embedder of `src/retrieval/fake-embedder.ts`, for
 *   benchmarks and tests: fast, but retrieval with it is meaningless.
 * - anything else: a transformers.js model, through `loadTransformersEmbedder` (same options, same
 *   result). That module, and @xenova/transformers behind it, is imported only then, so the fake
 *   embedder never pays for loading the ONNX runtime.
 *
 * @example
 * const { embedder, error } = await loadEmbedder({ model: config.EMBEDDING_MODEL, modelsDir: config.MODELS_DIR, allowRemote: config.ALLOW_REMOTE_MODELS });
 */
export async function loadEmbedder(options: TransformersEmbedderOptions): Promise<EmbedderStatus> {
  const fake = FAKE_MODEL_PATTERN.exec(options.model);
  if (fake) {
    try {
      return { embedder: createFakeEmbedder(Number(fake[1])) };
    } catch (e) {
      return { embedder: null, error: `embedding model ${options.model}: ${(e as Error).message}. Dense retrieval is off; search is lexical (BM25) only.` };
    }
  }
  const { loadTransformersEmbedder, unavailableMessage } = await import('./transformers-embedder.js');
  // Nothing to download and nothing on disk: say so without loading the ONNX runtime (about 0.2 s).
  const tokenizer = join(options.modelsDir, options.model, 'tokenizer.json');
  if (!options.allowRemote && !existsSync(tokenizer)) return { embedder: null, error: unavailableMessage(options, `${tokenizer} is missing`) };
  return loadTransformersEmbedder(options);
}
