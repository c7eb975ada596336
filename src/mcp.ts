/**
 * `npm run mcp`: the MCP server (search_papers, get_paper, ask_papers) over stdio, for MCP clients
 * that start a local process (Claude Desktop, editors). Built like the HTTP server (src/node.ts:
 * configuration, index, embedder, LLM, records); `/mcp` serves the same tools over Streamable HTTP.
 * stdout carries the protocol alone: every log line goes to stderr.
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { ConfigError, loadConfig } from './config.js';
import { CorpusError } from './corpus/parse-json.js';
import { ForeignFolderError } from './platform/node/index-files.js';
import { withRecords } from './insights/recorder.js';
import { buildApp, corpusToServe } from './node.js';
import { createMcpServer } from './server/mcp.js';

const log = (m: string) => console.error(m);
// Libraries that print with console.log would write into the protocol stream.
console.log = console.info = console.debug = log;

async function main() {
  const loaded = loadConfig(process.env);
  const config = { ...loaded, CORPUS_PATH: await corpusToServe(loaded, process.env, log) };
  const { retriever, answerer, records } = await buildApp(config, log);
  const recorded = records ? withRecords(answerer, records.store, { answers: config.FEEDBACK, gaps: config.GAP_LOG, weakBelow: config.GAP_WEAK_BELOW }, log) : answerer;
  const server = createMcpServer({ retriever, answerer: recorded });
  const transport = new StdioServerTransport();
  transport.onclose = () => {
    records?.close();
    process.exit(0);
  };
  await server.connect(transport);
  log(`paper chat: MCP server on stdio (${retriever.size} papers)`);
}

main().catch((e: Error) => {
  log(`paper chat: ${e instanceof ConfigError || e instanceof CorpusError || e instanceof ForeignFolderError ? e.message : (e.stack ?? e.message)}`);
  process.exit(1);
});
