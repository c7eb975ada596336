/** Requests outside the assistant's job: its instructions, creative writing, made-up sources, role play. */
const MISUSE: { re: RegExp; what: string }[] = [
  { re: /\b(system prompt|your (instructions|prompt|rules|guidelines)|initial prompt|hidden prompt|developer message)\b|\b(ignore|disregard|forget|override) (all |any )?(of )?(the |your |these )?(previous |prior |above |earlier |original )?(instructions|rules|prompts?|guidelines|directives)\b|\bjailbreak (yourself|you|this (assistant|bot|chat))\b|\bDAN mode\b/i, what: 'share or change my instructions' },
  { re: /\b(write|compose|make up|create|generate)\b[^.?!]{0,30}\b(poem|poetry|haiku|song|lyrics|limerick|story|joke|rap|sonnet|essay|novel|screenplay)\b/i, what: 'write poems, stories or other creative pieces' },
  { re: /\b(invent|fabricate|make up|fake|hallucinate|generate (some )?(fake|fictional|plausible))\b[^.?!]{0,40}\b(citations?|references?|papers?|sources?|results?|quotes?)\b|\b(citations?|references?)\b[^.?!]{0,30}\b(that (don't|do not) exist|even if (they|it) (don't|doesn't) exist)\b/i, what: 'invent citations or results' },
  { re: /\b(pretend|act as|role-?play|you are now|from now on you)\b/i, what: 'take on other roles' },
];

/** The refusal for a misuse request, or null for an ordinary question. */
export function misuseRefusal(question: string): string | null {
  const hit = MISUSE.find((m) => m.re.test(question));
  if (!hit) return null;
  return (
    `Sorry, I can't ${hit.what}. I answer questions about the research papers in this collection, ` +
    `citing the abstracts I rely on. Try asking what the papers say about a method, a result or a dataset.`
  );
}
