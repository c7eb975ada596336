/**
 * Acronyms a question asks to spell out ("what does DUMB stand for?"), and whether a sentence
 * spells one out: its letters, in order, start words near the acronym ("wide residual networks
 * (WRNs)") or are the capitals of nearby words ("Dataset soUrces, Model architecture and Balance").
 */
const ASKS_EXPANSION = /\bwhat (?:does|do|did|is|was) (?:the )?(?:acronym |abbreviation )?([A-Za-z][A-Za-z0-9-]*) (?:stand|short) for\b|\b([A-Za-z][A-Za-z0-9-]*) (?:stands|is short) for\b|\b(?:acronym|abbreviation) ([A-Za-z][A-Za-z0-9-]*)\b|\b(?:expand|spell out) (?:the )?(?:acronym )?([A-Za-z][A-Za-z0-9-]*)/i;

/** The acronym the question asks to expand, or null. */
export function askedExpansion(question: string): string | null {
  const m = ASKS_EXPANSION.exec(question);
  const word = m?.slice(1).find(Boolean);
  return word && word.length >= 2 ? word : null;
}

/** Is `letters` a subsequence of `seq`? */
const subsequence = (letters: string, seq: string) => {
  let i = 0;
  for (const ch of seq) if (ch === letters[i]) i++;
  return i === letters.length;
};

/** Does the sentence name the acronym and spell it out within a few words of it? */
export function spellsOut(sentence: string, acronym: string): boolean {
  const letters = acronym.replace(/(?<=[A-Z])s$/, '').replace(/[^A-Za-z]/g, '').toLowerCase();
  const words = sentence.split(/[\s,;:()]+/).filter(Boolean);
  const at = words.findIndex((w) => w.replace(/[^A-Za-z0-9-]/g, '').toLowerCase().replace(/s$/, '') === acronym.toLowerCase().replace(/s$/, ''));
  if (at < 0 || !letters) return false;
  const span = letters.length * 3;
  const near = [...words.slice(Math.max(0, at - span), at), ...words.slice(at + 1, at + 1 + span)];
  const initials = near.map((w) => w[0]!.toLowerCase()).join('');
  const capitals = near.join(' ').replace(/[^A-Z]/g, '').toLowerCase();
  return (letters.length >= 2 && subsequence(letters, capitals)) || (letters.length <= near.length && containsRun(letters, initials));
}

/** The initials spell the acronym as a contiguous run, allowing up to one small word between ("and", "of"). */
function containsRun(letters: string, initials: string): boolean {
  for (let start = 0; start < initials.length; start++) {
    let i = 0;
    let skips = 0;
    for (let j = start; j < initials.length && i < letters.length; j++) {
      if (initials[j] === letters[i]) i++;
      else if (i > 0 && ++skips > 1) break;
    }
    if (i === letters.length) return true;
  }
  return false;
}
