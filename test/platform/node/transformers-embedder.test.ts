/**
 * loadTransformersEmbedder with a real model (Xenova/all-MiniLM-L6-v2, built by
 * `npm run models -- --from pypi`): the profile table picks mean pooling and no query prefix, vectors
 * have 384 dimensions, and a query is closer to its own sentence than to an unrelated one. Skipped
 * when the model is not under MODELS_DIR; failing instead when CI=true.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Embedder } from '../../../src/retrieval/embedder.js';
import { loadTransformersEmbedder, restoreSepAfterTruncation, type FeatureExtractor } from '../../../src/platform/node/transformers-embedder.js';
import { BGE_QUERY_PREFIX, modelProfile } from '../../../src/retrieval/model-profiles.js';
import { MODELS_DIR, PYPI_MODEL, describeMissingModel, realModel } from '../../helpers/real-models.js';

const MINILM = PYPI_MODEL;

const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);

describe('model profiles', () => {
  it('knows the pooling and query prefix of the models npm run models builds', () => {
    expect(modelProfile('Xenova/bge-small-en-v1.5')).toEqual({ pooling: 'cls', queryPrefix: BGE_QUERY_PREFIX, known: true });
    expect(modelProfile(MINILM)).toEqual({ pooling: 'mean', queryPrefix: '', known: true });
  });

  it('falls back to the name for other models', () => {
    expect(modelProfile('Xenova/bge-base-en-v1.5')).toEqual({ pooling: 'cls', queryPrefix: BGE_QUERY_PREFIX, known: false });
    expect(modelProfile('Xenova/paraphrase-MiniLM-L3-v2')).toEqual({ pooling: 'mean', queryPrefix: '', known: false });
  });
});

describe('restoreSepAfterTruncation', () => {
  // [CLS]=101 ... [SEP]=102, [PAD]=0; model_max_length 5. transformers.js 2.17 cut row 0 after 5
  // tokens, losing its [SEP]; row 1 fits exactly; row 2 is padded.
  const tokenizer = Object.assign(() => ({}) as never, { model_max_length: 5, sep_token_id: 102 }) as unknown as FeatureExtractor['tokenizer'];
  const batch = () => ({
    input_ids: { dims: [3, 5], data: BigInt64Array.from([101n, 7n, 8n, 9n, 10n, 101n, 7n, 8n, 9n, 102n, 101n, 7n, 102n, 0n, 0n]) },
    attention_mask: { dims: [3, 5], data: BigInt64Array.from([1n, 1n, 1n, 1n, 1n, 1n, 1n, 1n, 1n, 1n, 1n, 1n, 1n, 0n, 0n]) },
  });

  it('ends a truncated row with [SEP], as the Python tokenizers do, and leaves the others alone', () => {
    const inputs = batch();
    expect(restoreSepAfterTruncation(tokenizer, inputs)).toBe(1);
    expect(Array.from(inputs.input_ids.data, Number)).toEqual([101, 7, 8, 9, 102, 101, 7, 8, 9, 102, 101, 7, 102, 0, 0]);
  });

  it('changes nothing when the batch is shorter than model_max_length', () => {
    const inputs = batch();
    const longer = Object.assign(() => ({}) as never, { model_max_length: 6, sep_token_id: 102 }) as unknown as FeatureExtractor['tokenizer'];
    expect(restoreSepAfterTruncation(longer, inputs)).toBe(0);
    expect(inputs.input_ids.data).toEqual(batch().input_ids.data);
  });
});

const minilm = realModel(MINILM);
if (!minilm.present) describeMissingModel(`loadTransformersEmbedder with ${MINILM}`, minilm.reason);
else {
  describe(`loadTransformersEmbedder with ${MINILM}`, () => {
    let embedder: Embedder;

    beforeAll(async () => {
      const status = await loadTransformersEmbedder({ model: MINILM, modelsDir: MODELS_DIR, allowRemote: false });
      if (!status.embedder) throw new Error(status.error);
      embedder = status.embedder;
    }, 120_000);

    it('embeds with mean pooling, no query prefix, quantized, 384 dimensions', () => {
      expect(embedder.id).toBe(`${MINILM}#mean#q#sep`);
      expect(embedder.dim).toBe(384);
    });

    it('puts a query closer to its own sentence than to unrelated ones', async () => {
      const docs = [
        'Graph neural networks learn node representations by passing messages between neighbouring nodes.',
        'We forecast regional rainfall with a convolutional climate model trained on satellite images.',
        'A new quantum error-correcting code raises the fidelity of superconducting qubits.',
      ];
      const queries = ['message passing on graphs', 'predicting rain from satellite data', 'qubit error correction'];
      const docVectors = await embedder.embedDocuments(docs);
      expect(docVectors.map((v) => v.length)).toEqual([384, 384, 384]);
      for (const [i, q] of queries.entries()) {
        const qv = await embedder.embedQuery(q);
        expect(qv).toHaveLength(384);
        expect(Math.sqrt(dot(qv, qv))).toBeCloseTo(1, 4);
        const sims = docVectors.map((d) => dot(qv, d));
        for (const [j, s] of sims.entries()) if (j !== i) expect(sims[i], `"${q}" vs "${docs[j]}"`).toBeGreaterThan(s + 0.1);
      }
    });

    it('embeds a text the same alone and inside a padded batch, long (truncated) texts included', async () => {
      const long = Array.from({ length: 60 }, (_, i) => `sentence ${i} about sparse attention for long documents.`).join(' ');
      const texts = ['short text', long, 'a medium length sentence about retrieval augmented generation'];
      const fp32 = await loadTransformersEmbedder({ model: MINILM, modelsDir: MODELS_DIR, allowRemote: false, quantized: false });
      if (!fp32.embedder) throw new Error(fp32.error);
      expect(fp32.embedder.id).toBe(`${MINILM}#mean#sep`);
      for (const [e, min] of [
        [fp32.embedder, 0.99999],
        // Dynamic quantization scales activations per tensor, padding included: a text's quantized
        // vector depends a little on its batch mates.
        [embedder, 0.995],
      ] as const) {
        const batch = await e.embedDocuments(texts);
        for (const [i, t] of texts.entries()) {
          const [alone] = await e.embedDocuments([t]);
          expect(dot(alone!, batch[i]!), `${e.id}: ${t.slice(0, 30)}`).toBeGreaterThan(min);
        }
      }
    }, 60_000);
  });
}
