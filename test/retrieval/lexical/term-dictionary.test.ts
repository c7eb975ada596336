import { describe, expect, it } from 'vitest';
import { LEXICAL_DEFAULTS, resolveLexicalOptions } from '../../../src/retrieval/lexical/bm25.js';
import { TermDictionary } from '../../../src/retrieval/lexical/term-dictionary.js';

const terms = ['layer', 'layerdrop', 'layerwis', 'learn', 'learner', 'network', 'optim', 'optimiz', 'transform', 'transformer'].sort();
const dictionary = new TermDictionary(terms, resolveLexicalOptions());
const expanded = (source: string) => dictionary.expand(source).map((e) => terms[e.term]);

describe('TermDictionary.expand', () => {
  it('finds a known term of 5+ characters and the longer terms it begins', () => {
    expect(expanded('layer')).toEqual(['layer', 'layerdrop', 'layerwis']);
    expect(dictionary.expand('layer')[0]).toEqual({ term: terms.indexOf('layer'), weight: 1 });
  });

  it('expands an unknown term by prefix too', () => {
    expect(expanded('transfo')).toEqual(['transform', 'transformer']);
  });

  it('never expands a term shorter than prefixMinLength by prefix', () => {
    expect(LEXICAL_DEFAULTS.prefixMinLength).toBe(5);
    expect(expanded('opti')).toEqual([]);
  });

  it('weights prefix matches down with the characters they add', () => {
    const [, drop, wis] = dictionary.expand('layer');
    expect(drop!.weight).toBeLessThan(LEXICAL_DEFAULTS.prefixWeight);
    expect(wis!.weight).toBeGreaterThan(drop!.weight); // "layerwis" adds fewer characters than "layerdrop"
  });

  it('tries edit distance only for terms the collection never uses, of 6+ characters', () => {
    expect(expanded('netwrk')).toEqual(['network']);
    expect(expanded('network')).toEqual(['network']);
    expect(expanded('lerner')).toEqual(['learner']);
    expect(expanded('lern')).toEqual([]);
  });

  it('adds at most maxPrefixTerms terms by prefix, the first in alphabetical order', () => {
    const many = ['learn', ...Array.from({ length: 12 }, (_, i) => `learn${String.fromCharCode(97 + i)}`)].sort();
    const d = new TermDictionary(many, resolveLexicalOptions());
    const out = d.expand('learn').map((e) => many[e.term]);
    expect(out).toHaveLength(1 + LEXICAL_DEFAULTS.maxPrefixTerms);
    expect(out.slice(1)).toEqual(many.slice(1, 1 + LEXICAL_DEFAULTS.maxPrefixTerms));
  });
});
