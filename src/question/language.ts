import * as stopwords from 'stopword';

/**
 * Whether a question is written in English, read from its function words: the stop-word lists of
 * the `stopword` package (about 60 languages) count which language's little words the question
 * uses. Scripts without spaces between words (Chinese, Japanese, Korean, Thai) are read by
 * script. The collection is English; a question in another language is searched with its English
 * rewrite when an LLM is configured, and answered with a note otherwise.
 */
const LISTS: [string, ReadonlySet<string>][] = Object.entries(stopwords)
  .filter(([code, list]) => /^[a-z]{3}$/.test(code) && Array.isArray(list))
  .map(([code, list]) => [code, new Set((list as string[]).map((w) => w.toLowerCase()))]);
const ENGLISH = LISTS.find(([code]) => code === 'eng')![1];

/** Letters of scripts written without spaces, or not Latin at all, that English text never uses. */
const NON_LATIN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}\p{Script=Cyrillic}\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Greek}\p{Script=Devanagari}]/gu;

export interface LanguageGuess {
  english: boolean;
  /** The ISO 639-3 code of the likeliest language (`eng`, `spa`, `deu`, `zho` ...), `und` when nothing tells. */
  code: string;
}

const SCRIPTS = ['Han', 'Hiragana', 'Katakana', 'Hangul', 'Thai', 'Cyrillic', 'Arabic', 'Hebrew', 'Greek', 'Devanagari'] as const;
const SCRIPT_RE = SCRIPTS.map((name) => [name, new RegExp(`\\p{Script=${name}}`, 'gu')] as const);

/** The script most of a text's non-Latin letters are written in (kana counts as Japanese), else `Latin`. */
export function scriptOf(text: string): string {
  // Japanese writes kana between its Han characters: a few of them decide.
  const kana = text.match(/[\p{Script=Hiragana}\p{Script=Katakana}]/gu)?.length ?? 0;
  if (kana > 0 && kana >= Math.min(2, text.match(/\p{L}/gu)?.length ?? 0)) return 'Kana';
  let best: [string, number] = ['Latin', 0];
  for (const [name, re] of SCRIPT_RE) {
    const n = text.match(re)?.length ?? 0;
    if (n > best[1]) best = [name, n];
  }
  return best[0];
}

let byScript: [string, Map<string, string[]>][] | null = null;
/** Each stop-word list's words by script, computed once (on the first question in another script). */
function listsInScripts(): [string, Map<string, string[]>][] {
  byScript ??= LISTS.map(([code, list]) => {
    const m = new Map<string, string[]>();
    for (const w of list) {
      const script = scriptOf(w);
      if (w.length) m.set(script, [...(m.get(script) ?? []), w]);
    }
    return [code, m];
  });
  return byScript;
}

/** Guesses the language of a question; English wins ties, so short technical queries stay English. */
export function guessLanguage(text: string): LanguageGuess {
  const letters = text.match(/\p{L}/gu)?.length ?? 0;
  const foreign = text.match(NON_LATIN)?.length ?? 0;
  if (letters > 0 && foreign / letters > 0.3) {
    // Only the lists written in the text's own script count: Latin words inside Chinese text
    // ("UNet++ 相比 U-Net ...") must not make it Catalan.
    const script = scriptOf(text);
    const best = listsInScripts()
      .filter(([code]) => code !== 'eng')
      .map(([code, byScript]) => [code, (byScript.get(script) ?? []).filter((w) => text.includes(w)).length] as const)
      .sort((a, b) => b[1] - a[1])[0];
    return { english: false, code: best && best[1] > 0 ? best[0] : 'und' };
  }
  const tokens = text.toLowerCase().normalize('NFC').match(/\p{L}+(?:['’]\p{L}+)?/gu) ?? [];
  // Each language against English on the words only one of the two has ("come" is both English and Italian).
  let best = { code: 'eng', margin: 0 };
  for (const [code, list] of LISTS) {
    if (code === 'eng') continue;
    const margin = tokens.filter((t) => list.has(t) && !ENGLISH.has(t)).length - tokens.filter((t) => ENGLISH.has(t) && !list.has(t)).length;
    if (margin > best.margin) best = { code, margin };
  }
  if (best.code !== 'eng') return { english: false, code: best.code };
  return { english: true, code: tokens.some((t) => ENGLISH.has(t)) ? 'eng' : 'und' };
}
