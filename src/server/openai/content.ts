import type { Paper } from '../../corpus/schema.js';
import type { ChatMessage, ChatResult, Source } from '../../protocol/chat.js';
import type { CompletionCitations, OpenAiMessage } from '../../protocol/openai.js';

/**
 * The OpenAI protocol's view of a cited answer: the conversation read from `messages`, and the
 * answer written as plain content (markers plus a trailing "Sources" list, which any client
 * shows) and as the extension fields (`citations`, `search_results`, `paper_chat`).
 */

/** The heading of the sources list appended to the content; an assistant turn sent back is cut there. */
export const SOURCES_HEADING = '\n\nSources:\n';
/** The heading of the near misses an abstention lists. */
export const RELATED_HEADING = '\n\nRelated papers (they do not answer this):\n';

/** Where a paper can be read: its own URL from the corpus, else this server's paper route. */
export const paperLink = (paper: Pick<Paper, 'id' | 'url'>, origin: string) => paper.url ?? `${origin}/api/papers/${encodeURIComponent(paper.id)}`;

const PAPER_ROUTE = /\/api\/papers\/([a-z0-9][a-z0-9._~%-]*)/g;

/** The text of a message's content: a string, or its text parts joined. */
const textOf = (content: OpenAiMessage['content']) =>
  typeof content === 'string' ? content : (content ?? []).flatMap((p) => (p.type === 'text' && typeof p.text === 'string' ? [p.text] : [])).join('\n');

/**
 * The conversation as the answerer reads it: user and assistant turns in order (system,
 * developer, tool and function messages are not the reader's conversation and are dropped). An
 * assistant turn this server wrote is cut back to its answer, and the ids of the papers its sources
 * list links to this server for become its `citations`.
 */
export function toChatMessages(messages: readonly OpenAiMessage[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const m of messages) {
    if (m.role !== 'user' && m.role !== 'assistant') continue;
    const text = textOf(m.content);
    if (m.role === 'user') {
      out.push({ role: 'user', content: text });
      continue;
    }
    const cut = [SOURCES_HEADING, RELATED_HEADING].map((h) => text.indexOf(h)).filter((i) => i >= 0);
    const at = cut.length ? Math.min(...cut) : -1;
    const answer = at >= 0 ? text.slice(0, at) : text;
    const listed = at >= 0 ? [...text.slice(at).matchAll(PAPER_ROUTE)].map((x) => decodeURIComponent(x[1]!)) : [];
    out.push({ role: 'assistant', content: answer, ...(listed.length ? { citations: [...new Set(listed)] } : {}) });
  }
  return out;
}

/** The sources list (cited papers, in marker order) or, for an abstention, the related papers. */
export function sourcesList(result: ChatResult, papers: ReadonlyMap<string, Paper>, origin: string): string {
  const link = (id: string) => paperLink(papers.get(id) ?? { id }, origin);
  if (result.citations.length) return SOURCES_HEADING + result.citations.map((c) => `- [${c.n}] ${c.title}. ${link(c.id)}`).join('\n');
  if (result.related?.length) return RELATED_HEADING + result.related.map((r) => `- ${r.title}. ${link(r.id)}`).join('\n');
  return '';
}

/**
 * The extension fields: `citations` and `search_results` as Perplexity gives them (one per source,
 * `[n]` is `citations[n - 1]`), and `paper_chat`, the result in this server's contract with the
 * complete content. The sources are those the `sources` event numbered; any cited paper not among
 * them (none should be) is added under its number.
 */
export function completionCitations(result: ChatResult, sources: readonly Source[], papers: ReadonlyMap<string, Paper>, origin: string): CompletionCitations {
  const byN = new Map<number, Source>(sources.map((s) => [s.n, s]));
  for (const c of result.citations) if (!byN.has(c.n)) byN.set(c.n, { n: c.n, id: c.id, title: c.title });
  const cited = new Map(result.citations.map((c) => [c.n, c]));
  const numbers = [...byN.keys()].sort((a, b) => a - b);
  const items = numbers.map((n) => {
    const s = byN.get(n)!;
    const paper = papers.get(s.id);
    const quote = cited.get(n)?.quote?.text ?? s.snippet;
    return {
      title: s.title,
      url: paperLink(paper ?? { id: s.id }, origin),
      date: paper?.year !== undefined ? String(paper.year) : null,
      ...(quote ? { snippet: quote } : {}),
      n,
      id: s.id,
      cited: cited.has(n),
    };
  });
  // `[n]` is `citations[n - 1]`: numbers are 1..k; a hole (none expected) keeps its place with an empty URL.
  const citations = Array.from({ length: numbers.at(-1) ?? 0 }, (_, i) => items.find((x) => x.n === i + 1)?.url ?? '');
  return { citations, search_results: items, paper_chat: { ...result, content: result.answer + sourcesList(result, papers, origin) } };
}

/** The paper ids a result names (cited, offered or related): the papers whose links and years it shows. */
export const idsOf = (result: ChatResult, sources: readonly Source[]) => [...new Set([...sources.map((s) => s.id), ...result.citations.map((c) => c.id), ...(result.related ?? []).map((r) => r.id)])];

/** Estimated tokens (about 4 characters each): the server has no tokenizer. */
export const estimateTokens = (text: string) => Math.ceil(text.length / 4);

