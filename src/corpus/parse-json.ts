import { CorpusRecordSchema, type CorpusIssue, type CorpusRecord } from './schema.js';

export interface JsonParseResult {
  records: (CorpusRecord & { line: number })[];
  issues: CorpusIssue[];
}

/** Thrown when a corpus cannot be used at all; the message says which record and field. */
export class CorpusError extends Error {
  override name = 'CorpusError';
}

const describe = (value: unknown) => JSON.stringify(value)?.slice(0, 80) ?? String(value);

/**
 * Parses a JSON array or JSON-lines corpus of `{title, abstract, id?, url?, authors?, year?}`.
 * Every record is validated; an invalid one raises a CorpusError naming the record (line) and field.
 *
 * @example
 * parseJsonCorpus('{"title":"A","abstract":"B"}\n', 'jsonl')
 */
export function parseJsonCorpus(text: string, format: 'json' | 'jsonl', source = 'corpus'): JsonParseResult {
  const entries: { value: unknown; line: number }[] = [];
  const issues: CorpusIssue[] = [];
  if (format === 'json') {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      throw new CorpusError(`${source}: not valid JSON (${(e as Error).message})`);
    }
    const list = Array.isArray(data) ? data : (data as { papers?: unknown })?.papers;
    if (!Array.isArray(list)) throw new CorpusError(`${source}: expected a JSON array of papers (or {"papers": [...]})`);
    list.forEach((value, i) => entries.push({ value, line: i + 1 }));
  } else {
    text.split(/\r?\n/).forEach((raw, i) => {
      const line = raw.trim();
      if (!line) return;
      try {
        entries.push({ value: JSON.parse(line), line: i + 1 });
      } catch (e) {
        throw new CorpusError(`${source}:${i + 1}: not valid JSON (${(e as Error).message})`);
      }
    });
  }
  const what = format === 'json' ? 'record' : 'line';
  const records = entries.map(({ value, line }) => {
    const parsed = CorpusRecordSchema.safeParse(value);
    if (!parsed.success) {
      const first = parsed.error.issues[0]!;
      const field = first.path.join('.') || '(record)';
      throw new CorpusError(`${source}: ${what} ${line}: field "${field}": ${first.message} (got ${describe(value)})`);
    }
    return { ...parsed.data, line };
  });
  return { records, issues };
}
