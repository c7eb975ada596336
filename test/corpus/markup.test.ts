import { describe, expect, it } from 'vitest';
import { cleanMarkup } from '../../src/corpus/markup.js';

describe('cleanMarkup: LaTeX and markup in abstracts become the text they stand for', () => {
  it.each([
    ['learn from {\\em labeled} and {\\bf unlabeled} data', 'learn from labeled and unlabeled data'],
    ['a \\emph{new} and \\textbf{fast} \\textit{method}', 'a new and fast method'],
    ['nested {\\em very \\textbf{bold}} text', 'nested very bold text'],
    ['the model \\( x\'(t) = Ax(t) \\) is linear', "the model x'(t) = Ax(t) is linear"],
    ['improves by 30\\% on \\eg CIFAR', 'improves by 30% on e.g. CIFAR'],
    ['see https://github.com/pnnl/projection\\_ntk.', 'see https://github.com/pnnl/projection_ntk.'],
    ['so-called ``shortcut\'\' features', 'so-called “shortcut” features'],
    ['plain   text\nwith breaks', 'plain text with breaks'],
    ['prices in $ and 5 < 6', 'prices in $ and 5 < 6'],
  ])('%j -> %j', (raw, clean) => {
    expect(cleanMarkup(raw)).toBe(clean);
  });
});
