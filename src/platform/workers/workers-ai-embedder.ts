import type { Embedder } from '../../retrieval/embedder.js';
import { modelProfile } from '../../retrieval/model-profiles.js';
import type { AiLike } from './bindings.js';

/**
 * Workers AI embedding models and the local (transformers.js) model that embeds documents into the
 * same space at ingestion: same weights, pooling and query instruction. Any other
 * WORKERS_AI_EMBEDDING_MODEL is taken as the id of the local model the binding runs itself.
 */
export const WORKERS_AI_EMBEDDERS: Readonly<Record<string, string>> = {
  '@cf/baai/bge-small-en-v1.5': 'Xenova/bge-small-en-v1.5',
  '@cf/baai/bge-base-en-v1.5': 'Xenova/bge-base-en-v1.5',
  '@cf/baai/bge-large-en-v1.5': 'Xenova/bge-large-en-v1.5',
};

/** The local model a Workers AI embedding model stands for. */
export const localCounterpart = (model: string) => WORKERS_AI_EMBEDDERS[model] ?? model;

/**
 * Query embeddings from Workers AI, in the space of the local model the documents were embedded
 * with: the counterpart's pooling (`cls` for BGE, requested explicitly: Workers AI pools by mean
 * unless told) and query instruction, normalized to unit length as the local embedder does.
 * Its `id` names the local model and pooling, so `sameSpace()` can check it against the index.
 */
export function workersAiEmbedder(ai: AiLike, model: string, dim: number): Embedder {
  const local = localCounterpart(model);
  const { pooling, queryPrefix } = modelProfile(local);
  const embed = async (texts: string[]): Promise<number[][]> => {
    const out = (await ai.run(model, { text: texts, pooling })) as { data?: number[][] };
    if (!Array.isArray(out?.data) || out.data.length !== texts.length) throw new Error(`Workers AI model ${model} returned no embeddings`);
    return out.data.map((v) => {
      if (v.length !== dim) throw new Error(`Workers AI model ${model} returned vectors of dimension ${v.length}; the index holds ${dim}`);
      const norm = Math.hypot(...v) || 1;
      return v.map((x) => x / norm);
    });
  };
  return {
    id: `${local}#${pooling}${queryPrefix ? '#prefix' : ''}#workers-ai`,
    dim,
    embedDocuments: embed,
    embedQuery: async (text) => (await embed([queryPrefix + text]))[0]!,
  };
}

/**
 * Null when queries embedded by `embedder` can be compared with vectors the index's embedder made
 * (same model, pooling and query instruction; quantization aside), else why not.
 */
export function sameSpace(indexEmbedderId: string, embedder: Embedder): string | null {
  const parts = (id: string) => {
    const [model, pooling, ...flags] = id.split('#');
    return { model, pooling, prefix: flags.includes('prefix') };
  };
  const a = parts(indexEmbedderId);
  const b = parts(embedder.id);
  if (a.model === b.model && a.pooling === b.pooling && a.prefix === b.prefix) return null;
  return `the index's vectors were made by ${indexEmbedderId}, but queries would be embedded by ${embedder.id}: ingest with EMBEDDING_MODEL=${b.model}, or set WORKERS_AI_EMBEDDING_MODEL to the Workers AI model of ${a.model}`;
}
