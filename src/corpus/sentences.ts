const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });

/** Abbreviations after which a full stop does not end a sentence. */
const NO_BREAK_AFTER = /\b(e\.g|i\.e|et al|etc|vs|cf|Fig|Figs|Eq|Eqs|Sec|approx|resp|no|Dr|Mr|Ms)\.\s*$/i;

/**
 * Splits prose into sentences (Intl.Segmenter, available in Node and Workers), then re-joins
 * splits after abbreviations such as "e.g." and fragments too short to stand alone.
 *
 * @example
 * splitSentences('We use e.g. MNIST. It works.') // ['We use e.g. MNIST.', 'It works.']
 */
export function splitSentences(text: string): string[] {
  // Segments keep their trailing white space, so re-joined pieces are exact quotes of the text.
  const out: string[] = [];
  for (const { segment } of segmenter.segment(text)) {
    const s = segment.trim();
    if (!s) continue;
    const prev = out[out.length - 1];
    const fragment = /^[a-z(\d]/.test(s) || (s.length < 12 && !/^[A-Z].*[.!?]$/.test(s));
    if (prev !== undefined && (NO_BREAK_AFTER.test(prev.trimEnd()) || fragment)) out[out.length - 1] = prev + segment;
    else out.push(segment);
  }
  return out.map((s) => s.trim());
}
