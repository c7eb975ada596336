import { describe, expect, it } from 'vitest';
import type { Paper } from '../../src/corpus/schema.js';
import { askedMetadata, missingMetadata, type MetadataKind } from '../../src/question/metadata.js';

describe('askedMetadata: questions about the paper rather than its content', () => {
  it.each<[string, MetadataKind[]]>([
    ['Who wrote this paper?', ['authors']],
    ['Who are the authors of FT-PFN?', ['authors']],
    ['Who is behind the D-MFDAL framework?', ['authors']],
    ['Which authors proposed it?', ['authors']],
    ['Who first proposed dropout?', ['authors']],
    ['What year was it published?', ['year']],
    ['When was the paper published?', ['year']],
    ['When did this come out?', ['year']],
    ['What is the publication date?', ['year']],
    ['In which conference was it presented?', ['venue']],
    ['Where was the paper published?', ['venue']],
    ['Which journal published it?', ['venue']],
    ['Is the code available?', ['code']],
    ['Where can I find the code?', ['code']],
    ['Link to the repository?', ['code']],
    ['Is an implementation publicly released?', ['code']],
    ['Is the source code open source?', ['code']],
    ['Where is their code?', ['code']],
    ['Which institution do the people who built this work at?', ['affiliation']],
    ['Are the authors affiliated with a company?', ['affiliation']],
    ['Which lab is this from?', ['affiliation']],
    ['Was it published at ICML or somewhere else?', ['venue']],
    ['What license does the released model come with?', ['license']],
    ['Is the benchmark licensed for commercial use?', ['license']],
    ['What hardware did the experiments run on?', ['compute']],
    ['Which GPUs did they train on?', ['compute']],
    ['How long does the model take to train?', ['compute']],
    ['What was the training budget?', ['compute']],
    ['How many citations does it have?', ['citations']],
    // content questions that merely mention code, years, authors, people, hardware or labs
    ['Which papers study hardware-efficient attention?', []],
    ['Which machine learning methods predict protein folding?', []],
    ['What accuracy does the lab test reach?', []],
    ['How long are the sequences the model handles?', []],
    ['Which papers study code generation?', []],
    ['What does the code generation benchmark measure?', []],
    ['What year-over-year growth in compute is predicted?', []],
    ['How do the authors define robustness?', []],
    ['Can we predict which patients who developed sepsis will die?', []],
    ['What datasets did they use?', []],
  ])('%j', (q, expected) => {
    expect(askedMetadata(q)).toEqual(expected);
  });
});

type Record = Pick<Paper, 'abstract' | 'authors' | 'year'>;
const ALL: MetadataKind[] = ['authors', 'year', 'venue', 'code'];

describe('missingMetadata: what neither the record nor its abstract states', () => {
  it.each<[string, Record, MetadataKind[]]>([
    ['a bare abstract states nothing', { abstract: 'We propose a sparse attention kernel for long documents.' }, ALL],
    ['a record with authors and year', { abstract: 'We propose a sparse attention kernel.', authors: ['A. Lovelace', 'C. Babbage'], year: 2021 }, ['venue', 'code']],
    ['an empty author list does not count', { abstract: 'We propose a sparse attention kernel.', authors: [] }, ALL],
    ['"et al." in the abstract names authors', { abstract: 'Building on Smith et al., we prune attention heads.' }, ['year', 'venue', 'code']],
    ['a year in the abstract', { abstract: 'The challenge held in 2019 drew many entries; we analyse them.' }, ['authors', 'code']],
    ['a venue in the abstract', { abstract: 'Our method won first place at the NeurIPS competition track.' }, ['authors', 'year', 'code']],
    ['a code link', { abstract: 'Code is at https://example.org/kernel.' }, ['authors', 'year', 'venue']],
    ['code said to be released', { abstract: 'Our implementation is publicly available.' }, ['authors', 'year', 'venue']],
    ['a GitHub mention', { abstract: 'We release everything on GitHub.' }, ['authors', 'year', 'venue']],
    ['numbers that are not years', { abstract: 'We train on 64 GPUs with 3000 steps and a batch of 1024.' }, ALL],
  ])('%s', (_name, record, expected) => {
    expect(missingMetadata(record, ALL)).toEqual(expected);
  });

  it.each<[string, string, MetadataKind[]]>([
    ['hardware named', 'We train on 64 GPUs in a day.', ['affiliation', 'license', 'citations']],
    ['a training time', 'Training takes 3 hours on one machine.', ['affiliation', 'license', 'citations']],
    ['a university', 'A study by a university hospital consortium.', ['license', 'compute', 'citations']],
    ['a license', 'The data are released under a permissive license.', ['affiliation', 'compute', 'citations']],
    ['nothing of these', 'We propose a sparse attention kernel for long documents.', ['affiliation', 'license', 'compute', 'citations']],
  ])('the newer kinds: %s', (_name, abstract, expected) => {
    expect(missingMetadata({ abstract }, ['affiliation', 'license', 'compute', 'citations'])).toEqual(expected);
  });

  it('checks only the kinds asked', () => {
    const record: Record = { abstract: 'We propose a sparse attention kernel.', year: 2020 };
    expect(missingMetadata(record, ['year'])).toEqual([]);
    expect(missingMetadata(record, ['authors'])).toEqual(['authors']);
    expect(missingMetadata(record, [])).toEqual([]);
  });
});
