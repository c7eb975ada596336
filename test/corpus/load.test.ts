import { cleanMarkup } from '../../src/corpus/markup.js';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusFormat, finalizeCorpus, loadCorpus, parseCorpus, type Corpus } from '../../src/corpus/load.js';
import { paperId, slugify } from '../../src/corpus/ids.js';
import { CorpusError, parseJsonCorpus } from '../../src/corpus/parse-json.js';
import { looksLikeAbstract, parsePageText } from '../../src/corpus/parse-page-text.js';
import { splitSentences } from '../../src/corpus/sentences.js';

const CORPUS_PATH = path.resolve('data/papers.txt');
const ID_RE = /^[a-z0-9][a-z0-9._~-]*$/;

/** A prose line the parser must take for an abstract (well over 20 words, ends in a full stop). */
const abstractText = (topic: string) =>
  `We study ${topic} in depth and propose a new method for it that is simple, fast and accurate. ` +
  `Experiments on several public benchmarks show that the method improves on strong baselines by a wide margin while using less compute.`;

const nonBlankLines = (text: string) => text.split(/\r?\n/).filter((l) => l.trim()).length;

/** A seeded Fisher-Yates shuffle, so a failure is reproducible. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed >>> 0;
  const rand = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

let tmp: string;
let real: Corpus;
let realText: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'corpus-test-'));
  realText = await readFile(CORPUS_PATH, 'utf8');
  real = await loadCorpus(CORPUS_PATH);
});

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('loadCorpus on data/papers.txt', () => {
  it('finds exactly 224 papers', () => {
    expect(real.papers).toHaveLength(224);
  });

  it('strips the glued "Subscribe" from the first title', () => {
    expect(real.papers[0]!.title).toBe('Disentangled Multi-Fidelity Deep Bayesian Active Learning');
    for (const p of real.papers) expect(p.title.startsWith('Subscribe')).toBe(false);
  });

  it('reports the two header lines and the glued "Subscribe" with their line numbers', () => {
    const byLine = new Map(real.issues.map((i) => [i.line, i]));
    expect(byLine.get(1)?.excerpt).toMatch(/^Get trending papers/);
    expect(byLine.get(2)?.excerpt).toMatch(/^Get trending papers/);
    expect(byLine.get(3)?.reason).toMatch(/subscribe/i);
    expect(byLine.get(3)?.excerpt).toMatch(/^SubscribeDisentangled/);
    // Nothing else in the real page needed attention.
    expect(real.issues.map((i) => i.line).sort((a, b) => a - b)).toEqual([1, 2, 3]);
  });

  it('accounts for every non-blank line: two per paper plus the two skipped header lines', () => {
    expect(nonBlankLines(realText)).toBe(real.papers.length * 2 + 2);
  });

  it('never confuses a title with an abstract: every title is shorter than every abstract', () => {
    const longestTitle = Math.max(...real.papers.map((p) => p.title.length));
    const shortestAbstract = Math.min(...real.papers.map((p) => p.abstract.length));
    expect(longestTitle).toBeLessThan(shortestAbstract);
  });

  it('keeps titles and abstracts as they appear in the file, minus LaTeX markup such as \\% and {\\em x}', () => {
    const lines = new Set(realText.split(/\r?\n/).map(cleanMarkup));
    for (const p of real.papers.slice(1)) {
      expect(lines.has(p.title), p.title).toBe(true);
      expect(lines.has(p.abstract), p.title).toBe(true);
    }
    expect(realText).toContain('91\\% accuracy');
    expect(real.papers.some((p) => p.abstract.includes('91% accuracy'))).toBe(true);
    for (const p of real.papers) expect(p.abstract).not.toMatch(/\\%|\{\\em /);
  });

  it('gives unique, URL-safe ids', () => {
    const ids = real.papers.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(id).toMatch(ID_RE);
      expect(encodeURIComponent(id)).toBe(id);
    }
  });

  it('fingerprints the corpus with a sha-256 hex hash', () => {
    expect(real.hash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('parsePageText on malformed input', () => {
  it('parses clean title/abstract pairs and reports nothing', () => {
    const text = ['Alpha Title', abstractText('alpha'), 'Beta Title', abstractText('beta')].join('\n');
    const { records, issues } = parsePageText(text);
    expect(records).toEqual([
      { title: 'Alpha Title', abstract: abstractText('alpha'), line: 1 },
      { title: 'Beta Title', abstract: abstractText('beta'), line: 3 },
    ]);
    expect(issues).toEqual([]);
  });

  it('reports a title without an abstract at its line and keeps the pairs around it', () => {
    const text = ['Alpha Title', abstractText('alpha'), 'Orphan Title', 'Beta Title', abstractText('beta')].join('\n');
    const { records, issues } = parsePageText(text);
    expect(records.map((r) => [r.title, r.line])).toEqual([
      ['Alpha Title', 1],
      ['Beta Title', 4],
    ]);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.line).toBe(3);
    expect(issues[0]!.excerpt).toBe('Orphan Title');
    expect(issues[0]!.reason).toMatch(/title without an abstract/);
    expect(records.length * 2 + issues.length).toBe(nonBlankLines(text));
  });

  it('reports an abstract without a title at the start of the file', () => {
    const text = [abstractText('lonely'), 'Alpha Title', abstractText('alpha')].join('\n');
    const { records, issues } = parsePageText(text);
    expect(records.map((r) => [r.title, r.line])).toEqual([['Alpha Title', 2]]);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.line).toBe(1);
    expect(issues[0]!.reason).toMatch(/abstract without a title/);
    expect(records.length * 2 + issues.length).toBe(nonBlankLines(text));
  });

  it('reports an abstract that follows another abstract (joined, not lost)', () => {
    const text = ['Alpha Title', abstractText('alpha'), abstractText('more alpha'), 'Beta Title', abstractText('beta')].join('\n');
    const { records, issues } = parsePageText(text);
    expect(records).toHaveLength(2);
    expect(records[0]!.abstract).toContain('more alpha');
    expect(records[1]!.abstract).not.toContain('more alpha');
    expect(issues).toHaveLength(1);
    expect(issues[0]!.line).toBe(3);
  });

  it('reports a trailing title at the end of the file', () => {
    const text = ['Alpha Title', abstractText('alpha'), 'Dangling Title', ''].join('\n');
    const { records, issues } = parsePageText(text);
    expect(records.map((r) => r.title)).toEqual(['Alpha Title']);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.line).toBe(3);
    expect(issues[0]!.excerpt).toBe('Dangling Title');
    expect(issues[0]!.reason).toMatch(/end of file/);
  });

  it('skips blank and whitespace-only lines and still numbers lines as in the file', () => {
    const text = ['', '   ', 'Alpha Title', '', abstractText('alpha'), '\t', '', 'Beta Title', abstractText('beta'), '', ''].join('\n');
    const { records, issues } = parsePageText(text);
    expect(records.map((r) => [r.title, r.line])).toEqual([
      ['Alpha Title', 3],
      ['Beta Title', 8],
    ]);
    expect(records[0]!.abstract).toBe(abstractText('alpha'));
    expect(issues).toEqual([]);
  });

  it('handles Windows line endings: no stray \\r, same line numbers as with \\n', () => {
    const lines = ['Get trending papers in your email inbox!', 'Alpha Title', abstractText('alpha'), 'Orphan Title', 'Beta Title', abstractText('beta')];
    const crlf = parsePageText(lines.join('\r\n'));
    const lf = parsePageText(lines.join('\n'));
    expect(crlf).toEqual(lf);
    for (const r of crlf.records) {
      expect(r.title).not.toMatch(/\r/);
      expect(r.abstract).not.toMatch(/\r/);
    }
    expect(crlf.records.map((r) => r.line)).toEqual([2, 5]);
    expect(crlf.issues.map((i) => i.line)).toEqual([1, 4]);
  });

  it('strips a byte-order mark and collapses inner whitespace', () => {
    const { records } = parsePageText(`\uFEFFAlpha   Title\t \n${abstractText('alpha')}`);
    expect(records[0]!.title).toBe('Alpha Title');
  });

  it('removes "Subscribe" glued to any title, not a word that merely starts with it', () => {
    const { records, issues } = parsePageText(['SubscribeAlpha Title', abstractText('alpha'), 'Subscriber Churn Models', abstractText('churn')].join('\n'));
    expect(records.map((r) => r.title)).toEqual(['Alpha Title', 'Subscriber Churn Models']);
    expect(issues.map((i) => i.line)).toEqual([1]);
  });

  it('accounts for every non-blank line on a mix of all the problems', () => {
    const text = [
      'Get trending papers in your email inbox once a day!',
      abstractText('headless'),
      '',
      'Alpha Title',
      abstractText('alpha'),
      'Orphan One',
      'Orphan Two',
      'Beta Title',
      abstractText('beta'),
      'Load more',
      'Tail Title',
    ].join('\r\n');
    const { records, issues } = parsePageText(text);
    expect(records.map((r) => r.title)).toEqual(['Alpha Title', 'Beta Title']);
    expect(issues.map((i) => i.line).sort((a, b) => a - b)).toEqual([1, 2, 6, 7, 10, 11]);
    expect(records.length * 2 + issues.length).toBe(nonBlankLines(text));
  });

  it('classifies abstracts by length or by being a long sentence', () => {
    expect(looksLikeAbstract('A Short Title')).toBe(false);
    expect(looksLikeAbstract('Is Attention All You Need?')).toBe(false);
    expect(looksLikeAbstract(abstractText('x'))).toBe(true);
    expect(looksLikeAbstract('x'.repeat(250))).toBe(true);
    // 20+ words but no full stop: still a (long) title.
    expect(looksLikeAbstract(Array.from({ length: 22 }, (_, i) => `w${i}`).join(' '))).toBe(false);
  });
});

describe('paperId and slugify', () => {
  it('slugifies to lowercase ASCII words joined by dashes', () => {
    expect(slugify('Hello, World!')).toBe('hello-world');
    expect(slugify('Café Über Naïve')).toBe('cafe-uber-naive');
    expect(slugify('  --Deep   Learning-- ')).toBe('deep-learning');
  });

  it('falls back to "paper" for a title without letters or digits', () => {
    expect(slugify('???')).toBe('paper');
    expect(paperId('???')).toMatch(/^paper-[0-9a-f]{6}$/);
  });

  it('cuts long slugs at a word boundary within the limit', () => {
    const long = 'Efficient Transformers for Extremely Long Sequences with Sparse Attention Patterns';
    const s = slugify(long, 30);
    expect(s.length).toBeLessThanOrEqual(30);
    expect(s).not.toMatch(/-$/);
    expect(slugify(long)).toMatch(new RegExp(`^${s}`));
    // Cut at a word boundary: the slug is a whole-word prefix of the full slug.
    expect(slugify(long, 200).startsWith(`${s}-`)).toBe(true);
  });

  it('derives the id from the title only: case and spacing do not matter, content does', () => {
    const a = paperId('Graph Neural Networks');
    expect(a).toMatch(/^graph-neural-networks-[0-9a-f]{6}$/);
    expect(paperId('graph   neural networks')).toBe(a);
    expect(paperId('Graph Neural Network')).not.toBe(a);
  });

  it('tells papers sharing a title apart by their abstracts', () => {
    expect(paperId('Same', 'first abstract')).not.toBe(paperId('Same', 'second abstract'));
    expect(paperId('Same', 'first abstract')).toBe(paperId('Same', 'First   Abstract'));
  });

  it('keeps ids URL-safe for titles in any script', () => {
    for (const title of ['Ταχύτητα και ακρίβεια', '深度学习', 'Q&A: "what?" / <why> #1 100%']) {
      const id = paperId(title);
      expect(id).toMatch(ID_RE);
      expect(encodeURIComponent(id)).toBe(id);
    }
  });
});

describe('id stability and corpus hash', () => {
  const toPageText = (papers: readonly { title: string; abstract: string }[]) =>
    ['Get trending papers in your email inbox!', ...papers.flatMap((p) => [p.title, p.abstract])].join('\n');

  it('gives each paper the same id and the corpus the same hash after shuffling the file', async () => {
    const file = path.join(tmp, 'shuffled.txt');
    await writeFile(file, toPageText(shuffled(real.papers, 42)));
    const again = await loadCorpus(file);
    expect(again.papers).toHaveLength(real.papers.length);
    expect(again.papers.map((p) => p.id)).not.toEqual(real.papers.map((p) => p.id)); // really reordered
    const idOf = new Map(again.papers.map((p) => [p.title, p.id]));
    for (const p of real.papers) expect(idOf.get(p.title), p.title).toBe(p.id);
    expect(again.hash).toBe(real.hash);
  });

  it('changes the hash but not the id when one abstract is edited', async () => {
    const edited = real.papers.map((p, i) => (i === 10 ? { ...p, abstract: `${p.abstract} We also release the code.` } : p));
    const file = path.join(tmp, 'edited.txt');
    await writeFile(file, toPageText(edited));
    const again = await loadCorpus(file);
    expect(again.hash).not.toBe(real.hash);
    expect(again.papers.map((p) => p.id)).toEqual(real.papers.map((p) => p.id));
    expect(again.papers[10]!.abstract).toMatch(/release the code\.$/);
  });

  it('gives the same papers, ids and hash when the file has Windows line endings and a BOM', async () => {
    const file = path.join(tmp, 'crlf.txt');
    await writeFile(file, `\uFEFF${realText.replace(/\r?\n/g, '\r\n')}`);
    const again = await loadCorpus(file);
    expect(again.papers).toEqual(real.papers);
    expect(again.hash).toBe(real.hash);
    expect(again.issues.map((i) => i.line)).toEqual(real.issues.map((i) => i.line));
  });

  it('changes the hash when a paper is removed', () => {
    const fewer = parseCorpus(toPageText(real.papers.slice(1)), 'txt');
    expect(fewer.papers).toHaveLength(223);
    expect(fewer.hash).not.toBe(real.hash);
  });
});

describe('duplicate titles', () => {
  it('gives same-titled papers with different abstracts distinct ids and reports the duplicate', () => {
    const text = ['Shared Title', abstractText('one thing'), 'Other Title', abstractText('other'), 'Shared Title', abstractText('another thing')].join('\n');
    const corpus = parseCorpus(text, 'txt');
    expect(corpus.papers).toHaveLength(3);
    const shared = corpus.papers.filter((p) => p.title === 'Shared Title');
    expect(shared).toHaveLength(2);
    expect(shared[0]!.id).not.toBe(shared[1]!.id);
    for (const p of shared) expect(p.id).toMatch(/^shared-title-[0-9a-f]{6}$/);
    const dup = corpus.issues.filter((i) => /duplicate title/.test(i.reason));
    expect(dup).toHaveLength(1);
    expect(dup[0]!.reason).toContain('Shared Title');
    expect(dup[0]!.line).toBe(1);
    // The ids of the same-titled papers still do not depend on order.
    const swapped = parseCorpus(['Shared Title', abstractText('another thing'), 'Shared Title', abstractText('one thing'), 'Other Title', abstractText('other')].join('\n'), 'txt');
    expect(new Set(swapped.papers.map((p) => p.id))).toEqual(new Set(corpus.papers.map((p) => p.id)));
    expect(swapped.hash).toBe(corpus.hash);
  });

  it('gives exact duplicates distinct ids and reports them', () => {
    const text = ['Twin Title', abstractText('twins'), 'Twin Title', abstractText('twins')].join('\n');
    const corpus = parseCorpus(text, 'txt');
    expect(corpus.papers).toHaveLength(2);
    const [a, b] = corpus.papers;
    expect(a!.id).not.toBe(b!.id);
    for (const p of corpus.papers) expect(p.id).toMatch(ID_RE);
    expect(corpus.issues.some((i) => /duplicate title/.test(i.reason))).toBe(true);
    expect(corpus.issues.some((i) => i.line === 3 && /duplicate/.test(i.reason))).toBe(true);
  });

  it('finalizeCorpus is pure: same drafts in another order, same ids and hash', () => {
    const drafts = [
      { title: 'A', abstract: 'first', line: 1 },
      { title: 'B', abstract: 'second', line: 3 },
      { title: 'C', abstract: 'third', line: 5 },
    ];
    const x = finalizeCorpus(drafts);
    const y = finalizeCorpus([...drafts].reverse());
    expect(new Set(y.papers.map((p) => p.id))).toEqual(new Set(x.papers.map((p) => p.id)));
    expect(y.hash).toBe(x.hash);
  });
});

describe('JSON and JSONL corpora', () => {
  const good = [
    { title: 'Alpha Paper', abstract: 'Alpha abstract.', id: 'My-Alpha', url: 'https://example.org/alpha', authors: ['Ada Lovelace', 'Alan Turing'], year: 2021 },
    { title: 'Beta Paper', abstract: 'Beta abstract.', authors: 'Grace Hopper, Edsger Dijkstra and Barbara Liskov', year: '2019' },
    { title: 'Gamma Paper', abstract: 'Gamma abstract.' },
  ];

  async function write(name: string, text: string) {
    const file = path.join(tmp, name);
    await writeFile(file, text);
    return file;
  }

  const expectCorpusError = async (file: string, ...parts: (string | RegExp)[]) => {
    const err = await loadCorpus(file).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CorpusError);
    const message = (err as Error).message;
    for (const p of parts) expect(message).toMatch(p);
    return message;
  };

  it('dispatches by extension', () => {
    expect(corpusFormat('x/papers.json')).toBe('json');
    expect(corpusFormat('x/papers.JSONL')).toBe('jsonl');
    expect(corpusFormat('x/papers.ndjson')).toBe('jsonl');
    expect(corpusFormat('x/papers.txt')).toBe('txt');
  });

  it('loads a JSON array with all optional fields', async () => {
    const corpus = await loadCorpus(await write('good.json', JSON.stringify(good, null, 2)));
    expect(corpus.papers).toHaveLength(3);
    const [a, b, c] = corpus.papers;
    expect(a).toEqual({ id: 'my-alpha', title: 'Alpha Paper', abstract: 'Alpha abstract.', url: 'https://example.org/alpha', authors: ['Ada Lovelace', 'Alan Turing'], year: 2021 });
    expect(b!.authors).toEqual(['Grace Hopper', 'Edsger Dijkstra', 'Barbara Liskov']);
    expect(b!.year).toBe(2019);
    expect(b!.id).toBe(paperId('Beta Paper'));
    expect(c).toEqual({ id: paperId('Gamma Paper'), title: 'Gamma Paper', abstract: 'Gamma abstract.' });
  });

  it('loads a {"papers": [...]} object too', async () => {
    const corpus = await loadCorpus(await write('wrapped.json', JSON.stringify({ papers: good })));
    expect(corpus.papers.map((p) => p.title)).toEqual(good.map((g) => g.title));
  });

  it('loads JSONL, skipping blank lines, with the same result as JSON', async () => {
    const jsonl = `${JSON.stringify(good[0])}\r\n\n${JSON.stringify(good[1])}\n   \n${JSON.stringify(good[2])}\n`;
    const fromJsonl = await loadCorpus(await write('good.jsonl', jsonl));
    const fromJson = await loadCorpus(await write('good2.json', JSON.stringify(good)));
    expect(fromJsonl.papers).toEqual(fromJson.papers);
    expect(fromJsonl.hash).toBe(fromJson.hash);
  });

  it('keeps an explicit id (normalized to lowercase) and derives missing ones from the title', async () => {
    const corpus = await loadCorpus(await write('ids.jsonl', [{ id: 'custom.id_1~x', title: 'T1', abstract: 'A1' }, { title: 'T2', abstract: 'A2' }].map((r) => JSON.stringify(r)).join('\n')));
    expect(corpus.papers[0]!.id).toBe('custom.id_1~x');
    expect(corpus.papers[1]!.id).toBe(paperId('T2'));
  });

  it('names the line and field of a record without an abstract', async () => {
    const file = await write('no-abstract.jsonl', [JSON.stringify(good[0]), JSON.stringify({ title: 'No Abstract' })].join('\n'));
    await expectCorpusError(file, /line 2\b/, /abstract/);
  });

  it('names the record and field in a JSON array', async () => {
    const file = await write('no-title.json', JSON.stringify([good[0], good[1], { abstract: 'x' }]));
    await expectCorpusError(file, /record 3\b/, /title/);
  });

  it('rejects an empty abstract, naming it', async () => {
    const file = await write('empty-abstract.jsonl', JSON.stringify({ title: 'T', abstract: '   ' }));
    await expectCorpusError(file, /line 1\b/, /abstract/);
  });

  it('rejects a bad url, naming the field', async () => {
    const file = await write('bad-url.jsonl', [JSON.stringify(good[2]), JSON.stringify({ title: 'T', abstract: 'A', url: 'not a url' })].join('\n'));
    await expectCorpusError(file, /line 2\b/, /url/);
  });

  it('rejects a bad year and bad authors, naming the field', async () => {
    await expectCorpusError(await write('bad-year.jsonl', JSON.stringify({ title: 'T', abstract: 'A', year: 'soon' })), /year/);
    await expectCorpusError(await write('bad-authors.jsonl', JSON.stringify({ title: 'T', abstract: 'A', authors: [1, 2] })), /authors/);
  });

  it('rejects an id that is not URL-safe, naming the field', async () => {
    await expectCorpusError(await write('bad-id.jsonl', JSON.stringify({ id: 'has space/slash', title: 'T', abstract: 'A' })), /line 1\b/, /\bid\b/);
  });

  it('names the line of invalid JSON in JSONL', async () => {
    const file = await write('broken.jsonl', [JSON.stringify(good[0]), JSON.stringify(good[1]), '{"title": "T", "abstract": ', JSON.stringify(good[2])].join('\n'));
    await expectCorpusError(file, /(line 3\b|:3:)/, /JSON/);
  });

  it('rejects a JSON file that is not valid JSON or not a list', async () => {
    await expectCorpusError(await write('broken.json', '[{"title": "T",'), /JSON/);
    await expectCorpusError(await write('object.json', '{"title": "T", "abstract": "A"}'), /array/);
  });

  it('rejects duplicate explicit ids, naming the id', async () => {
    const file = await write('dup-ids.jsonl', [{ id: 'same', title: 'T1', abstract: 'A1' }, { id: 'SAME', title: 'T2', abstract: 'A2' }].map((r) => JSON.stringify(r)).join('\n'));
    await expectCorpusError(file, /same/, /more than one|duplicate/);
  });

  it('reports duplicate titles in JSON corpora too', () => {
    const corpus = parseCorpus(JSON.stringify([{ title: 'Dup', abstract: 'one' }, { title: 'dup', abstract: 'two' }]), 'json');
    expect(corpus.papers).toHaveLength(2);
    expect(corpus.papers[0]!.id).not.toBe(corpus.papers[1]!.id);
    expect(corpus.issues.some((i) => /duplicate title/.test(i.reason))).toBe(true);
  });

  it('parseJsonCorpus returns records with their line numbers', () => {
    const { records } = parseJsonCorpus(`\n${JSON.stringify({ title: 'T', abstract: 'A' })}\n\n${JSON.stringify({ title: 'U', abstract: 'B' })}`, 'jsonl');
    expect(records.map((r) => [r.title, r.line])).toEqual([
      ['T', 2],
      ['U', 4],
    ]);
  });

  it('loadCorpus explains a missing file and an empty corpus', async () => {
    await expectCorpusError(path.join(tmp, 'does-not-exist.txt'), /cannot read/, /ENOENT/, /CORPUS_PATH/);
    await expectCorpusError(await write('empty.txt', '\n\n'), /no papers/);
    await expectCorpusError(await write('empty.jsonl', ''), /no papers/);
  });
});

describe('explicit ids and unsafe urls', () => {
  it('gives the same ids whatever the order when an explicit id equals a derived one', () => {
    const a = { title: 'Foo', abstract: 'A paper about foo and its many uses in practice.', line: 1 };
    const b = { id: paperId('Foo'), title: 'Bar', abstract: 'A paper about bar and why it matters so much.', line: 2 };
    const one = finalizeCorpus([a, b]);
    const two = finalizeCorpus([b, a]);
    const ids = (c: Corpus) => Object.fromEntries(c.papers.map((p) => [p.title, p.id]));
    expect(ids(one)).toEqual(ids(two));
    expect(ids(one).Bar).toBe(paperId('Foo'));
    expect(ids(one).Foo).not.toBe(paperId('Foo'));
    expect(one.hash).toBe(two.hash);
  });

  it('rejects a url that is not http(s), naming the field', () => {
    const bad = JSON.stringify({ title: 'T', abstract: 'An abstract long enough.', url: 'javascript:alert(1)' });
    expect(() => parseJsonCorpus(bad, 'jsonl', 'c.jsonl')).toThrow(/url/);
  });
});

describe('splitSentences', () => {
  it('splits prose into its sentences', () => {
    expect(splitSentences('Graph networks are popular today. We propose a faster variant of them. It scales to large graphs easily.')).toEqual([
      'Graph networks are popular today.',
      'We propose a faster variant of them.',
      'It scales to large graphs easily.',
    ]);
  });

  it('does not break after abbreviations', () => {
    expect(splitSentences('We evaluate on vision tasks, e.g. image classification. Our model is competitive with prior work.')).toEqual([
      'We evaluate on vision tasks, e.g. image classification.',
      'Our model is competitive with prior work.',
    ]);
    expect(splitSentences('Smith et al. showed this before us. Fig. 3 shows the main result clearly.')).toEqual([
      'Smith et al. showed this before us.',
      'Fig. 3 shows the main result clearly.',
    ]);
  });

  it('keeps decimals and question/exclamation sentences intact', () => {
    expect(splitSentences('Accuracy improves by 3.5 points on average. Does it generalize to new tasks? Yes, across all ten of them!')).toEqual([
      'Accuracy improves by 3.5 points on average.',
      'Does it generalize to new tasks?',
      'Yes, across all ten of them!',
    ]);
  });

  it('keeps short full sentences and quotes the text exactly', () => {
    expect(splitSentences('We use e.g. MNIST. It works.')).toEqual(['We use e.g. MNIST.', 'It works.']);
    // A split inside "!!25%" re-joins without an added space: the sentence stays an exact quote.
    const text = 'The method reaches sim!!25% on the hardest task of the benchmark suite.';
    for (const s of splitSentences(text)) expect(text).toContain(s);
  });

  it('returns nothing for empty text', () => {
    expect(splitSentences('')).toEqual([]);
    expect(splitSentences('   ')).toEqual([]);
  });

  it('loses no text on any real abstract, and splits each into several sentences', () => {
    const squash = (s: string) => s.replace(/\s+/g, '');
    for (const p of real.papers) {
      const sentences = splitSentences(p.abstract);
      expect(squash(sentences.join(' ')), p.title).toBe(squash(p.abstract));
      for (const s of sentences) expect(s).toBe(s.trim());
    }
    const multi = real.papers.filter((p) => splitSentences(p.abstract).length >= 3).length;
    expect(multi).toBeGreaterThan(real.papers.length * 0.9);
  });
});
