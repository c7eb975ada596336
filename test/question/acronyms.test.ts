import { describe, expect, it } from 'vitest';
import { askedExpansion, spellsOut } from '../../src/question/acronyms.js';

describe('askedExpansion', () => {
  it.each([
    ['What does LoRA stand for?', 'LoRA'],
    ['what is SWAE short for', 'SWAE'],
    ['Expand the acronym GHN', 'GHN'],
    ['What does the model stand out for?', null],
    ['Which papers use LoRA?', null],
  ])('%s -> %s', (q, expected) => {
    expect(askedExpansion(q)).toBe(expected);
  });
});

describe('spellsOut', () => {
  it.each([
    ['We introduce the Graph HyperNetwork (GHN) for architecture search.', 'GHN', true],
    ['Our benchmark, BOLT: Benchmark Of Long Texts, is public.', 'BOLT', true],
    ['We train wide residual networks (WRNs) of 16 layers.', 'WRNs', true],
    ['We evaluate GHN on CIFAR-10 and ImageNet.', 'GHN', false],
    ['The graph hypernetwork is fast.', 'GHN', false],
  ])('%s spells out %s: %s', (sentence, acronym, expected) => {
    expect(spellsOut(sentence, acronym)).toBe(expected);
  });
});
