import { splitSentences } from '../corpus/sentences.js';
import type { Paper } from '../corpus/schema.js';
import type { Retriever } from '../retrieval/retriever.js';

const norm = (s: string) => s.normalize('NFKC').toLowerCase().replace(/\[\d+\]/g, '').replace(/[^a-z0-9]+/g, ' ').trim();

/**
 * Finds which papers an earlier answer cited, from its text alone (clients send back the answer
 * text, not the citation list): sentences quoted verbatim from an abstract and titles identify
 * their paper; for paraphrased (LLM) text, each cited passage is looked up with lexical search
 * (and so is every passage when the papers are not in memory: D1).
 */
export class CitedPaperFinder {
  private readonly bySentence = new Map<string, string>();
  private readonly byTitle = new Map<string, string>();

  constructor(
    papers: readonly Paper[],
    private readonly retriever: Retriever,
  ) {
    for (const p of papers) {
      this.byTitle.set(norm(p.title), p.id);
      for (const s of splitSentences(p.abstract)) {
        const key = norm(s);
        if (key.length > 20 && !this.bySentence.has(key)) this.bySentence.set(key, p.id);
      }
    }
  }

  /** Papers cited in `answer`, in order of first citation. */
  async find(answer: string): Promise<Paper[]> {
    const ids: string[] = [];
    const add = (id: string | undefined) => id && !ids.includes(id) && ids.push(id);
    // Each cited passage is the text before a marker, back to the previous marker or line start.
    const passages = answer.split(/\[\d+\](?:\[\d+\])*/).slice(0, -1);
    for (const passage of passages) {
      const lines = passage.split('\n');
      const line = lines[lines.length - 1] ?? '';
      const title = line.replace(/^\s*[-*•]\s*/, '').replace(/[:\s]+$/, '');
      const titleId = this.byTitle.get(norm(title));
      if (titleId) {
        add(titleId);
        continue;
      }
      const sentences = splitSentences(passage);
      const quoted = sentences.map((s) => this.bySentence.get(norm(s))).find(Boolean);
      if (quoted) {
        add(quoted);
        continue;
      }
      const text = sentences.slice(-2).join(' ').trim();
      if (text.length > 20) add((await this.retriever.search(text, 1))[0]?.paper.id);
    }
    return this.retriever.getPapers(ids);
  }
}
