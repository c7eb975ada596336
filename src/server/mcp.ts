import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Answerer } from '../answer/answerer.js';
import { AskPapersInput, AskPapersOutput, GetPaperInput, GetPaperOutput, SearchPapersInput, SearchPapersOutput } from '../protocol/mcp.js';
import type { ChatResult } from '../protocol/chat.js';
import type { Retriever } from '../retrieval/retriever.js';
import { collectAnswer } from './answering.js';
import { searchResults } from './routes/search.js';

/** The server's name and version as MCP clients see them. */
export const MCP_SERVER_INFO = { name: 'paper-chat', version: '0.1.0' };

/** The answer as text for the model reading it: the answer, then each citation with its quote. */
export function answerText(result: ChatResult): string {
  const lines = [result.answer];
  if (result.citations.length) {
    lines.push('', 'Sources:');
    for (const c of result.citations) lines.push(`[${c.n}] ${c.title} (id: ${c.id})${c.quote ? `\n    "${c.quote.text}"` : ''}`);
  }
  if (result.related?.length) {
    lines.push('', 'Related papers (they do not answer this):');
    for (const r of result.related) lines.push(`- ${r.title} (id: ${r.id})`);
  }
  if (result.verified !== undefined) lines.push('', `Verified against the cited abstracts: ${Math.round(result.verified * 100)}% of cited claims.`);
  return lines.join('\n');
}

/**
 * The MCP server over the collection: `search_papers`, `get_paper` and `ask_papers` (a cited answer
 * whose citations carry the abstract sentences they rest on). Runtime-agnostic: `/mcp` serves it
 * over Streamable HTTP, `npm run mcp` over stdio. One per connection (stateless HTTP: one per request).
 */
export function createMcpServer(deps: { retriever: Retriever; answerer: Answerer }): McpServer {
  const server = new McpServer(MCP_SERVER_INFO, {
    instructions: 'Answers questions about a collection of research-paper abstracts. Every answer cites the papers it rests on, with the sentence of each abstract it quotes; when the collection does not answer a question it says so (abstained: true) rather than guess.',
  });
  server.registerTool(
    'search_papers',
    {
      title: 'Search papers',
      description: 'Find the papers of the collection that best match a query (lexical and, when available, semantic search). Returns ids, titles, scores and the best-matching sentence.',
      inputSchema: SearchPapersInput.shape,
      outputSchema: SearchPapersOutput.shape,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ query, k }) => {
      const results = await searchResults(deps.retriever, query, k ?? 10);
      const text = results.length ? results.map((r, i) => `${i + 1}. ${r.title} (id: ${r.id})${r.snippet ? `\n   ${r.snippet}` : ''}`).join('\n') : 'No paper matches.';
      return { content: [{ type: 'text', text }], structuredContent: { results } };
    },
  );
  server.registerTool(
    'get_paper',
    {
      title: 'Get a paper',
      description: 'The title, abstract and (when the collection has them) authors, year and URL of one paper, by id.',
      inputSchema: GetPaperInput.shape,
      outputSchema: GetPaperOutput.shape,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ id }) => {
      const paper = await deps.retriever.getPaper(id);
      if (!paper) return { isError: true, content: [{ type: 'text', text: `No paper has the id "${id}". Ids come from search_papers and ask_papers.` }] };
      return { content: [{ type: 'text', text: `${paper.title}\n\n${paper.abstract}` }], structuredContent: { ...paper } };
    },
  );
  server.registerTool(
    'ask_papers',
    {
      title: 'Ask the papers',
      description:
        'Answer a question from the abstracts of the collection. The answer cites its sources as [n]; each citation carries the abstract sentence it rests on (quote). When the collection does not answer the question, abstained is true and the answer says so.',
      inputSchema: AskPapersInput.shape,
      outputSchema: AskPapersOutput.shape,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ question }, extra) => {
      const { result } = await collectAnswer(deps.answerer, [{ role: 'user', content: question }], extra.signal);
      return { content: [{ type: 'text', text: answerText(result) }], structuredContent: result };
    },
  );
  return server;
}
