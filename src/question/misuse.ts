/**
 * Where a request addressed to the assistant begins: the start of the message or of a sentence or
 * clause, after "please"/"now", or after "you" ("can you", "I want you to"), "help me". A verb
 * elsewhere describes what a model or a paper does ("can LLMs act as judges?", "papers that
 * generate a story from a plot"), which is a research question, not a request.
 */
const ASKED = String.raw`(?:^|[.!?;:,]\s*|\b(?:please|now|just|then)\s+|\byou\s+(?:to\s+|please\s+|now\s+|just\s+)?|\bhelp me\s+)`;
const addressed = (body: string) => new RegExp(`${ASKED}(?:${body})`, 'i');

/** Requests outside the assistant's job: its instructions, creative writing, made-up sources, role play. */
const MISUSE: { re: RegExp[]; what: string }[] = [
  {
    re: [
      /\byour (system |initial |hidden |original |secret )?(instructions|prompt|rules|guidelines)\b|\b(initial prompt|hidden prompt|developer message)\b|\b(ignore|disregard|forget|override) (all |any )?(of )?(the |your |these )?(previous |prior |above |earlier |original )?(instructions|rules|prompts?|guidelines|directives)\b|\bjailbreak (yourself|you|this (assistant|bot|chat))\b|\bDAN mode\b/i,
      // "the system prompt" as something to reveal; a question about system prompts in research is not.
      addressed(String.raw`(?:print|show|reveal|repeat|output|display|leak|dump|recite|share|tell|give)\b[^.?!]{0,25}\bsystem prompt\b|what(?:'s| is) the system prompt\s*[?.!]*$`),
    ],
    what: 'share or change my instructions',
  },
  {
    re: [
      addressed(String.raw`(?:write|compose|make up|create|generate)\b[^.?!]{0,30}\b(?:poem|poetry|haiku|song|lyrics|limerick|story|joke|rap|sonnet|essay|novel|screenplay)\b`),
      /\btell (me|us) an? (funny |short |good |little |bedtime |silly )?(joke|story|poem|limerick|riddle)\b/i,
    ],
    what: 'write poems, stories or other creative pieces',
  },
  {
    re: [
      addressed(String.raw`(?:invent|fabricate|make up|fake|hallucinate|generate (?:some )?(?:fake|fictional|plausible))\b[^.?!]{0,40}\b(?:citations?|references?|papers?|sources?|results?|quotes?)\b`),
      /\b(citations?|references?)\b[^.?!]{0,30}\b(that (don't|do not) exist|even if (they|it) (don't|doesn't) exist)\b/i,
    ],
    what: 'invent citations or results',
  },
  {
    re: [addressed(String.raw`(?:pretend|act as|role-?play)\b`), /\byou are now\b|\bfrom now on,? you\b/i],
    what: 'take on other roles',
  },
];

/** The refusal for a misuse request, or null for an ordinary question. */
export function misuseRefusal(question: string): string | null {
  const hit = MISUSE.find((m) => m.re.some((re) => re.test(question)));
  if (!hit) return null;
  return (
    `Sorry, I can't ${hit.what}. I answer questions about the research papers in this collection, ` +
    `citing the abstracts I rely on. Try asking what the papers say about a method, a result or a dataset.`
  );
}
