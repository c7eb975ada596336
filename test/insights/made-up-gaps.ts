/**
 * Made-up unanswered questions on five topics far from the collection (its papers are ML
 * abstracts), worded from shared templates so that no two topics differ in phrasing, only in what
 * they ask about. Deterministic: the same seed gives the same questions.
 */
import { mulberry32 } from '../../src/util/prng.js';
import type { GapRecord } from '../../src/insights/store.js';

export const TOPICS: Record<string, string[]> = {
  reefs: ['coral reefs', 'reef bleaching', 'coral polyps', 'symbiotic algae in corals', 'marine heatwaves on reefs', 'reef restoration', 'coral spawning', 'bleached coral recovery'],
  baking: ['sourdough starters', 'bread fermentation', 'gluten development in dough', 'proofing bread dough', 'rye sourdough', 'baking bread crust', 'wild yeast in sourdough', 'dough hydration'],
  volcanoes: ['volcanic eruptions', 'magma chambers', 'lava flows', 'eruption forecasting', 'volcanic ash clouds', 'volcano seismic tremors', 'pyroclastic flows', 'magma degassing'],
  chess: ['chess openings', 'the sicilian defence in chess', 'chess endgames', 'chess grandmaster preparation', 'queen sacrifices in chess', 'chess opening theory', 'pawn structures in chess', 'chess tournament ratings'],
  beekeeping: ['honeybee colonies', 'beehive swarming', 'queen bee rearing', 'varroa mites in beehives', 'honey harvesting from hives', 'bee pollination of orchards', 'winter survival of bee colonies', 'wax comb building by bees'],
};

const TEMPLATES = [
  'What does the collection say about {a}?',
  'Are there any papers on {a} and {b}?',
  'Which study measures {a}?',
  'How do researchers explain {a} compared with {b}?',
  'Is anything known about {a}?',
  'I am looking for work on {a}',
  'Can you summarise findings on {b} and {a}?',
  'What methods are used for {a}?',
];

/** `perTopic` questions on each topic, interleaved, as abstained gaps a minute apart. */
export function madeUpGaps(perTopic = 40, seed = 7): { gaps: GapRecord[]; topicOf: Map<string, string> } {
  const rand = mulberry32(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const gaps: GapRecord[] = [];
  const topicOf = new Map<string, string>();
  const start = Date.UTC(2026, 0, 1);
  for (let i = 0; i < perTopic; i++) {
    for (const [topic, phrases] of Object.entries(TOPICS)) {
      const a = pick(phrases);
      let b = pick(phrases);
      while (b === a) b = pick(phrases);
      const question = pick(TEMPLATES).replace('{a}', a).replace('{b}', b);
      topicOf.set(question, topic);
      gaps.push({ question, decision: 'not_covered', probability: rand() * 0.2, at: start + gaps.length * 60_000 });
    }
  }
  return { gaps, topicOf };
}
