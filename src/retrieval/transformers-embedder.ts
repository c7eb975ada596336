import type { Embedder, EmbedderStatus } from './embedder.js';

export interface TransformersEmbedderOptions {
  /** Hugging Face model id, e.g. `Xenova/bge-small-en-v1.5`. */
  model: string;
  /** Folder searched first for `<model>/{config.json,tokenizer.json,onnx/model_quantized.onnx}`; also the download cache. */
  modelsDir: string;
  /** Whether transformers.js may download from the Hugging Face hub when the model is not local. */
  allowRemote: boolean;
  /** Sentence pooling; BGE models use the [CLS] token. Default: `cls` for BGE, `mean` otherwise. */
  pooling?: 'cls' | 'mean';
  /** Instruction prepended to queries (not documents). Default: the BGE retrieval prefix for BGE models. */
  queryPrefix?: string;
  /** Use the quantized ONNX weights (`onnx/model_quantized.onnx`). Default true. */
  quantized?: boolean;
  /** Give up loading after this long (a hub that never answers must not hang start-up). Default 120 s. */
  timeoutMs?: number;
  /** Texts embedded per model call. Default 16. */
  batchSize?: number;
}

const BGE_QUERY_PREFIX = 'Represent this sentence for searching relevant passages: ';

type Extractor = (texts: string[], options: { pooling: 'cls' | 'mean'; normalize: boolean }) => Promise<{ dims: number[]; tolist(): number[][] }>;

/**
 * Loads a feature-extraction model with @xenova/transformers (ONNX runtime, CPU). Never throws:
 * a model that cannot be loaded yields `{ embedder: null, error }` with the reason and the fix.
 *
 * @example
 * const { embedder, error } = await loadTransformersEmbedder({ model: 'Xenova/bge-small-en-v1.5', modelsDir: 'models', allowRemote: true });
 */
export async function loadTransformersEmbedder(options: TransformersEmbedderOptions): Promise<EmbedderStatus> {
  const isBge = /bge/i.test(options.model);
  const pooling = options.pooling ?? (isBge ? 'cls' : 'mean');
  const queryPrefix = options.queryPrefix ?? (isBge ? BGE_QUERY_PREFIX : '');
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
    const extractor = (await Promise.race([pipeline('feature-extraction', options.model, { quantized }), timeout])) as unknown as Extractor;
    const run = async (texts: string[]) => {
      const out: number[][] = [];
      for (let i = 0; i < texts.length; i += batchSize) {
        const tensor = await extractor(texts.slice(i, i + batchSize), { pooling, normalize: true });
        out.push(...tensor.tolist());
      }
      return out;
    };
    const [probe] = await run(['dimension probe']);
    const dim = probe!.length;
    const embedder: Embedder = {
      id: `${options.model}#${pooling}${quantized ? '#q' : ''}${queryPrefix ? '#prefix' : ''}`,
      dim,
      embedDocuments: run,
      embedQuery: async (text) => (await run([queryPrefix + text]))[0]!,
    };
    return { embedder };
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    const reason = [err.message, err.cause?.code].filter(Boolean).join(' ');
    return {
      embedder: null,
      error:
        `embedding model ${options.model} could not be loaded (${reason}). ` +
        `Dense retrieval is off; search is lexical (BM25) only. To enable it, put the model files ` +
        `(config.json, tokenizer.json, tokenizer_config.json, onnx/model${quantized ? '_quantized' : ''}.onnx) under ` +
        `${options.modelsDir}/${options.model}/` +
        (options.allowRemote ? ' or give this machine network access to the Hugging Face hub,' : ' or set ALLOW_REMOTE_MODELS=true with network access,') +
        ' then run npm run ingest.',
    };
  } finally {
    clearTimeout(timer);
  }
}
