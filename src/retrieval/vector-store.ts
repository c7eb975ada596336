import { LocalIndex } from 'vectra';

export interface VectorHit {
  id: string;
  /** Cosine similarity. */
  score: number;
}

/**
 * Paper embeddings in a vectra LocalIndex on disk (one item per paper, metadata `{ id }`).
 * Built in one beginUpdate/insertItem/endUpdate batch: vectra rewrites index.json per update.
 */
export class VectorStore {
  private constructor(private readonly index: LocalIndex<{ id: string }>) {}

  static async build(folder: string, items: { id: string; vector: number[] }[]): Promise<VectorStore> {
    const index = new LocalIndex<{ id: string }>(folder);
    await index.createIndex({ version: 1, deleteIfExists: true });
    await index.beginUpdate();
    for (const { id, vector } of items) await index.insertItem({ id, vector, metadata: { id } });
    await index.endUpdate();
    return new VectorStore(index);
  }

  static async open(folder: string): Promise<VectorStore> {
    const index = new LocalIndex<{ id: string }>(folder);
    if (!(await index.isIndexCreated())) throw new Error(`no vector index in ${folder}`);
    const store = new VectorStore(index);
    await index.getIndexStats(); // loads index.json now, not on the first query
    return store;
  }

  async size(): Promise<number> {
    return (await this.index.getIndexStats()).items;
  }

  /** How many vectors, and their dimension (0 when empty or when the vectors disagree on it). */
  async stats(): Promise<{ items: number; dim: number }> {
    const items = await this.index.listItems();
    const dims = new Set(items.map((i) => (Array.isArray(i.vector) ? i.vector.length : -1)));
    return { items: items.length, dim: dims.size === 1 ? [...dims][0]! : 0 };
  }

  async query(vector: number[], k: number): Promise<VectorHit[]> {
    const results = await this.index.queryItems(vector, '', k);
    return results
      .map((r) => ({ id: String(r.item.metadata.id), score: r.score }))
      .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
}
