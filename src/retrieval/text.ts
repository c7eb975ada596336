import { stemmer } from 'stemmer';
import { eng } from 'stopword';

/**
 * Words that carry no topic in questions about papers ("which paper proposes...", "is there work
 * on..."), on top of the general English stop words.
 */
const QUESTION_WORDS = [
  'paper', 'papers', 'work', 'works', 'study', 'studies', 'article', 'research', 'researchers',
  'anyone', 'someone', 'somebody', 'anything', 'something', 'there', 'here', 'which', 'what', 'whose',
  'how', 'why', 'when', 'where', 'who', 'whom', 'given', 'need', 'needs', 'let', 'lets', 'help', 'helps', 's', 't', 'does', 'did', 'do', 'done', 'can', 'could', 'would', 'should', 'may', 'might', 'any',
  'tell', 'find', 'show', 'shows', 'showed', 'shown', 'give', 'explain', 'describe', 'know', 'looking',
  'want', 'like', 'mention', 'mentions', 'talk', 'talks', 'about', 'collection', 'corpus', 'one', 'ones',
  'i', 'im', 'me', 'my', 'we', 'us', 'our', 'you', 'your', 'they', 'them', 'their', 'it', 'its', 'also',
  'use', 'uses', 'used', 'using', 'get', 'gets', 'got', 'please',
  'e', 'g', 'eg', 'ie', 'etc', 'vs',
];

export const STOP_WORDS: ReadonlySet<string> = new Set([...eng.map((w) => w.toLowerCase()), ...QUESTION_WORDS]);

/** Lowercased alphanumeric words, accents folded. Keeps stop words. */
export function words(text: string): string[] {
  return (
    text
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .match(/[a-z0-9]+/g) ?? []
  );
}

/** Porter stem of one lowercase word; numbers pass through. */
export const stem = (word: string): string => (/^[0-9]+$/.test(word) ? word : stemmer(word));

/** The index terms of a text: words minus stop words, stemmed. */
export function terms(text: string): string[] {
  return words(text)
    .filter((w) => !STOP_WORDS.has(w))
    .map(stem);
}

/** MiniSearch `processTerm`: one raw token to its index term, or null for a stop word. */
export function processTerm(token: string): string | null {
  const w = words(token)[0];
  if (!w || STOP_WORDS.has(w)) return null;
  return stem(w);
}
