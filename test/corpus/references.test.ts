/**
 * References (src/corpus/references.ts): BibTeX checked with Better BibTeX's parser
 * (@retorquere/bibtex-parser), RIS and CSL-JSON read back by citation.js (@citation-js/core with
 * its RIS plugin); keys are stable and unique over the real collection.
 */
import { Cite } from '@citation-js/core';
import '@citation-js/plugin-ris';
import { parse as parseBibtex } from '@retorquere/bibtex-parser';
import { describe, expect, it } from 'vitest';
import { loadCorpus } from '../../src/corpus/load.js';
import { citationKey, formatReferences, splitName, type ReferenceSource } from '../../src/corpus/references.js';

/** Papers with the awkward cases: LaTeX specials, braces, accents, a comma-form name, no authors, a URL with a fragment. */
const PAPERS: ReferenceSource[] = [
  { id: 'notes-on-the-engine-1a2b3c', title: 'Notes on the Analytical Engine', authors: ['Ada Lovelace', 'Charles Babbage'], year: 1843, url: 'https://example.org/notes?a=1&b=2#part%201' },
  { id: 'sparse-50-percent-9f9f9f', title: 'Pruning 50% of {BERT} weights: $O(n)$ & more_fast ~ ^done \\ ok', authors: ['Gödel, Kurt', 'José Núñez'], year: 2021 },
  { id: 'untitled-authors-000001', title: 'The Role of Noise in Diffusion Models' },
];

describe('BibTeX', () => {
  const bib = formatReferences(PAPERS, 'bibtex');

  it('parses without errors, one entry per paper, keys and fields intact', () => {
    const lib = parseBibtex(bib, { sentenceCase: false });
    expect(lib.errors).toEqual([]);
    expect(lib.entries.map((e) => e.key)).toEqual(PAPERS.map(citationKey));
    const [ada, pruning, untitled] = lib.entries;
    expect(ada!.type).toBe('misc');
    expect(ada!.fields.title).toBe('Notes on the Analytical Engine');
    expect(ada!.fields.author).toEqual([
      { lastName: 'Lovelace', firstName: 'Ada' },
      { lastName: 'Babbage', firstName: 'Charles' },
    ]);
    expect(ada!.fields.year).toBe('1843');
    expect(ada!.fields.url).toBe('https://example.org/notes?a=1&b=2#part%201');
    // The specials come back as the characters they escape.
    expect(pruning!.fields.title).toBe(PAPERS[1]!.title);
    expect(pruning!.fields.author).toEqual([
      { lastName: 'Gödel', firstName: 'Kurt' },
      { lastName: 'Núñez', firstName: 'José' },
    ]);
    expect(untitled!.fields.author).toBeUndefined();
  });

  it('keys: author, year and title word, then a hash of the id; the same on every call', () => {
    expect(citationKey(PAPERS[0]!)).toMatch(/^lovelace1843notes-[0-9a-z]{4}$/);
    expect(citationKey(PAPERS[1]!)).toMatch(/^godel2021pruning-[0-9a-z]{4}$/);
    expect(citationKey(PAPERS[2]!)).toMatch(/^rolenoise-[0-9a-z]{4}$/);
    expect(formatReferences(PAPERS, 'bibtex')).toBe(bib);
  });

  it('every paper of the real collection gets its own key, and the whole collection parses', async () => {
    const { papers } = await loadCorpus('data/papers.txt');
    const keys = papers.map(citationKey);
    expect(new Set(keys).size).toBe(papers.length);
    const lib = parseBibtex(formatReferences(papers, 'bibtex'), { sentenceCase: false });
    expect(lib.errors).toEqual([]);
    expect(lib.entries).toHaveLength(papers.length);
    expect(lib.entries.map((e) => e.fields.title)).toEqual(papers.map((p) => p.title));
  });
});

describe('RIS', () => {
  it('citation.js reads back title, authors, year and URL of each record', async () => {
    const ris = formatReferences(PAPERS, 'ris');
    expect(ris.split('\r\n').filter((l) => l).every((l) => /^[A-Z][A-Z0-9]  - /.test(l))).toBe(true);
    const items = (await Cite.async(ris, { forceType: '@ris/file' })).data as { title: string; author?: { family: string; given?: string }[]; issued?: { 'date-parts': number[][] }; URL?: string }[];
    expect(items).toHaveLength(3);
    expect(items[0]!.title).toBe('Notes on the Analytical Engine');
    expect(items[0]!.author).toEqual([expect.objectContaining({ family: 'Lovelace', given: 'Ada' }), expect.objectContaining({ family: 'Babbage', given: 'Charles' })]);
    expect(items[0]!.issued?.['date-parts'][0]?.[0]).toBe(1843);
    expect(items[0]!.URL).toBe(PAPERS[0]!.url);
    expect(items[1]!.title).toBe(PAPERS[1]!.title);
    expect(items[2]!.author).toBeUndefined();
  });
});

describe('CSL-JSON', () => {
  it('is a CSL item array citation.js accepts as CSL, with names split and the year as date-parts', async () => {
    const csl = JSON.parse(formatReferences(PAPERS, 'csl')) as Record<string, unknown>[];
    expect(csl.map((i) => i.id)).toEqual(PAPERS.map(citationKey));
    expect(csl[0]).toEqual({
      id: citationKey(PAPERS[0]!),
      type: 'article',
      title: 'Notes on the Analytical Engine',
      author: [
        { family: 'Lovelace', given: 'Ada' },
        { family: 'Babbage', given: 'Charles' },
      ],
      issued: { 'date-parts': [[1843]] },
      URL: PAPERS[0]!.url,
    });
    const cite = await Cite.async(csl, { forceType: '@csl/list+object' });
    expect((cite.data as { title: string }[]).map((d) => d.title)).toEqual(PAPERS.map((p) => p.title));
    // citation.js writes it out as RIS with the same fields: the items are CSL it understands.
    expect(cite.format('ris')).toContain('AU  - Lovelace, Ada');
  });
});

describe('splitName', () => {
  it.each([
    ['Ada Lovelace', { family: 'Lovelace', given: 'Ada' }],
    ['Lovelace, Ada', { family: 'Lovelace', given: 'Ada' }],
    ['Plato', { family: 'Plato' }],
    ['  Mary   Ann  Evans ', { family: 'Evans', given: 'Mary Ann' }],
  ])('%j', (name, parts) => {
    expect(splitName(name)).toEqual(parts);
  });
});
