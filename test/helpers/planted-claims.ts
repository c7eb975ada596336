/**
 * A planted set of unsupported claims made from the real corpus, for measuring claim verification:
 * a sentence with its first number changed (a wrong number), a paper's own sentence cited to the
 * closest other paper a search finds (a swapped citation, as among an answer's sources), and a
 * paper's own sentence claiming a dataset it never mentions (an invented dataset).
 */
import type { Paper } from '../../src/corpus/schema.js';
import type { Retriever } from '../../src/retrieval/retriever.js';
import { sentenceSpans } from '../../src/support/claims.js';

export interface PlantedClaim {
  kind: 'wrong number' | 'swapped citation' | 'invented dataset';
  claim: string;
  cited: Paper;
}

const INVENTED = ['Kelvora', 'QuillBench-7', 'the Marrowgate corpus', 'TR-Vessel', 'Ostrander-40k'];

export async function plantedClaims(papers: readonly Paper[], retriever: Retriever): Promise<PlantedClaim[]> {
  const planted: PlantedClaim[] = [];
  for (const [i, paper] of papers.entries()) {
    const sentences = sentenceSpans(paper.abstract).map((s) => s.text).filter((s) => s.split(/\s+/).length >= 8);
    const withNumber = sentences.find((s) => /\b\d+(\.\d+)?\b/.test(s));
    if (withNumber) {
      const wrong = withNumber.replace(/\b(\d+)(\.\d+)?\b/, (_m, a: string, b = '') => `${Number(a) + 7}${b}`);
      planted.push({ kind: 'wrong number', claim: wrong, cited: paper });
    }
    const sentence = sentences[i % Math.max(1, sentences.length)];
    if (!sentence) continue;
    const rival = (await retriever.lists(sentence, 3)).lexical.find((h) => h.id !== paper.id);
    if (rival) planted.push({ kind: 'swapped citation', claim: sentence, cited: (await retriever.getPaper(rival.id))! });
    planted.push({ kind: 'invented dataset', claim: `${sentence.replace(/[.!?]$/, '')}, evaluated on ${INVENTED[i % INVENTED.length]}.`, cited: paper });
  }
  return planted;
}

/** "flagged/total" per kind, for the log. */
export function byKind(planted: readonly PlantedClaim[], flagged: readonly PlantedClaim[]): Record<string, string> {
  return Object.fromEntries(
    (['wrong number', 'swapped citation', 'invented dataset'] as const).map((k) => [k, `${flagged.filter((p) => p.kind === k).length}/${planted.filter((p) => p.kind === k).length}`]),
  );
}
