/**
 * The real models that `npm run models` builds give, in transformers.js (onnxruntime-node), the
 * embeddings the reference Python implementation gives: cosine >= 0.999 with the fp32 weights and
 * >= 0.99 with the quantized ones, for each of the 20 sentences in the model's
 * reference-embeddings.json (short, long and truncated, numbers, punctuation, accents, CJK, emoji,
 * LaTeX). Skipped when no such model is under MODELS_DIR; failing instead when CI=true.
 *
 * The model is loaded with `pipeline('feature-extraction', id, { quantized })` and embedded through
 * the app's `embedWithExtractor` (the pipeline's own steps, plus the [SEP] that transformers.js 2.17
 * drops from truncated texts: with the raw pipeline, the 4x-long sentence only reaches ~0.995 fp32).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { env, pipeline } from '@xenova/transformers';
import { embedWithExtractor, type FeatureExtractor } from '../../../src/platform/node/transformers-embedder.js';
import { modelProfile } from '../../../src/retrieval/model-profiles.js';
import { MODELS_DIR, PYPI_MODEL, REFERENCE_FILE, REQUIRE_REAL_MODELS, describeMissingModel, modelsWithReference, realModel } from '../../helpers/real-models.js';

interface Reference {
  model: string;
  package: string;
  packageVersion: string;
  reference: string;
  pooling: string;
  normalize: boolean;
  queryPrefix: string;
  maxLength: number;
  sentences: string[];
  embeddings: number[][];
}

const THRESHOLDS = [
  { quantized: false, label: 'fp32', min: 0.999 },
  { quantized: true, label: 'quantized', min: 0.99 },
] as const;

function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
}

// Every model folder with a reference file; in CI also the one .ci/run builds, so its absence fails.
const ids = [...new Set([...modelsWithReference(), ...(REQUIRE_REAL_MODELS ? [PYPI_MODEL] : [])])];
if (!ids.length) describeMissingModel('model equivalence', `no model folder under ${MODELS_DIR} has ${REFERENCE_FILE}`);

for (const id of ids) {
  const model = realModel(id, { withReference: true });
  if (!model.present) {
    describeMissingModel(`model equivalence ${id}`, model.reason);
    continue;
  }
  const ref = JSON.parse(readFileSync(path.join(model.dir, REFERENCE_FILE), 'utf8')) as Reference;
  const profile = modelProfile(id);

  describe(`${id} in transformers.js vs ${ref.package} ${ref.packageVersion} in Python`, () => {
    it('the embedder profile has the reference pooling and query prefix', () => {
      expect(ref.sentences.length).toBe(20);
      expect(ref.embeddings.length).toBe(ref.sentences.length);
      expect(profile.known).toBe(true);
      expect(profile.pooling).toBe(ref.pooling);
      expect(profile.queryPrefix).toBe(ref.queryPrefix);
    });

    for (const { quantized, label, min } of THRESHOLDS) {
      it(`${label} weights: cosine >= ${min} with the reference for every sentence`, async () => {
        env.localModelPath = MODELS_DIR;
        env.allowLocalModels = true;
        env.allowRemoteModels = false;
        const extractor = (await pipeline('feature-extraction', id, { quantized })) as unknown as FeatureExtractor;
        try {
          // One padded batch, as the app embeds documents.
          const out = await embedWithExtractor(extractor, ref.sentences, profile.pooling);
          expect(out.map((v) => v.length)).toEqual(ref.embeddings.map((v) => v.length));
          const cosines = out.map((v, i) => cosine(v, ref.embeddings[i]!));
          const worst = cosines.indexOf(Math.min(...cosines));
          console.log(
            `${id} ${label}: min cosine ${cosines[worst]!.toFixed(7)} (sentence ${worst}: ${JSON.stringify(ref.sentences[worst]!.slice(0, 40))}), ` +
              `mean ${(cosines.reduce((s, c) => s + c, 0) / cosines.length).toFixed(7)}, reference ${ref.reference}`,
          );
          cosines.forEach((c, i) => expect(c, `sentence ${i}: ${JSON.stringify(ref.sentences[i]!.slice(0, 60))}`).toBeGreaterThanOrEqual(min));
        } finally {
          await extractor.dispose();
        }
      }, 180_000);
    }
  });
}
