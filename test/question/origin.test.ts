import { describe, expect, it } from 'vitest';
import { askedOrigin } from '../../src/question/origin.js';
import { terms } from '../../src/retrieval/text.js';

describe('askedOrigin: questions that want the paper that introduced something', () => {
  it.each([
    ['Which paper introduced dropout?', 'dropout'],
    ['What work first proposed batch normalization?', 'batch normalization'],
    ['the original vision transformer paper', 'vision transformer'],
    ['Where was layer normalization first proposed?', 'layer normalization'],
    ['I want the mixup paper itself, not one that uses it', 'mixup'],
    ['The paper that introduced knowledge distillation, please', 'knowledge distillation'],
  ])('%j asks about %j', (q, thing) => {
    expect(askedOrigin(q)).toEqual(terms(thing));
  });

  it.each([
    ['Which papers use dropout?'],
    ['What does the dropout paper propose?'],
    // who-questions ask for a name, which an abstract citing the work may give
    ['Who originally proposed dropout?'],
    ['Who first introduced batch normalization?'],
    ['Which paper introduced it?'], // names nothing
  ])('%j is not an origin question', (q) => {
    expect(askedOrigin(q)).toBeNull();
  });
});
