import { z } from 'zod';

export const MANIFEST_FORMAT = 10;

/** `data/index/manifest.json`: what built the index, so a stale one is detected, never silently mixed. */
export const ManifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  corpusPath: z.string(),
  corpusHash: z.string(),
  /** sha256 of the corpus file's bytes: an unchanged file is recognized without parsing it. */
  corpusFileHash: z.string().optional(),
  papers: z.number().int().nonnegative(),
  /** How text was analyzed into BM25 terms (lexicalFingerprint). */
  lexical: z.string(),
  /** The embedder that wrote the vectors; null when the index is lexical only. */
  embedder: z.object({ id: z.string(), dim: z.number().int().positive() }).nullable(),
  /** Why there are no vectors, when embedder is null. */
  denseUnavailable: z.string().optional(),
  /** sha256 of each file the index is made of, checked when it is loaded. */
  files: z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/)),
  builtAt: z.string(),
  buildMs: z.number().nonnegative(),
});
export type Manifest = z.infer<typeof ManifestSchema>;

/** Why an existing index cannot serve this corpus and embedder, or null when it can. */
export function staleReason(manifest: Manifest | null, want: { corpusHash: string; embedderId: string | null; lexical: string }): string | null {
  if (!manifest) return 'no index yet';
  if (manifest.corpusHash !== want.corpusHash) return 'the corpus changed';
  if (manifest.lexical !== want.lexical) return 'the text analyzer changed';
  const have = manifest.embedder?.id ?? null;
  if (have !== want.embedderId) return `the embedder changed (${have ?? 'none'} -> ${want.embedderId ?? 'none'})`;
  return null;
}
