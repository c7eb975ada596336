/**
 * `POST /v1/chat/completions` and `GET /v1/models` with the official `openai` SDK as the client
 * (its requests go to the app through `app.request()`), streaming and not, and with the request
 * shapes Open WebUI and LibreChat send: system messages, `stream_options`, content parts, and
 * fields this server does not know.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { Paper } from '../../src/corpus/schema.js';
import { buildApp } from '../../src/node.js';
import { markersIn } from '../../src/protocol/markers.js';
import { ChatCompletionChunkSchema, ChatCompletionSchema, type ChatCompletion, type CompletionCitations } from '../../src/protocol/openai.js';
import { SOURCES_HEADING, toChatMessages } from '../../src/server/openai/content.js';
import { baseEnv, logSink, makeDirs, type TestDirs } from '../helpers/app.js';

let dirs: TestDirs;
let built: Awaited<ReturnType<typeof buildApp>>;
let client: OpenAI;
let papers: readonly Paper[];

/** A question made of a paper's own first sentence: the collection answers it, citing that paper. */
const questionFrom = (p: Paper) => p.abstract.split(/(?<=\.)\s/)[0]!;
const OFF_TOPIC = 'What is the best hydration for a rye sourdough loaf?';

beforeAll(async () => {
  dirs = await makeDirs('openai');
  built = await buildApp(loadConfig({ ...baseEnv(dirs), DATABASE_PATH: ':memory:', ALLOWED_HOSTS: 'paper-chat.test' }), logSink().log);
  papers = built.index.papers;
  client = new OpenAI({
    apiKey: 'not-needed',
    baseURL: 'http://paper-chat.test/v1',
    maxRetries: 0,
    fetch: (url, init) => Promise.resolve(built.app.request(String(url), init as RequestInit)),
  });
});
afterAll(async () => {
  built?.records?.close();
  await dirs?.cleanup();
});

/** The contract of the content and the extension fields of one finished answer. */
function expectCitedAnswer(content: string, extra: CompletionCitations) {
  const { paper_chat: result, citations, search_results } = extra;
  expect(content).toBe(result.content);
  expect(result.abstained).toBe(false);
  expect(result.citations.length).toBeGreaterThan(0);
  const answerPart = content.slice(0, content.indexOf(SOURCES_HEADING));
  expect(answerPart).toBe(result.answer);
  // Every marker in the content is a citation, listed under Sources with its title and link.
  const used = markersIn(answerPart);
  expect(used.length).toBeGreaterThan(0);
  for (const n of used) {
    const c = result.citations.find((x) => x.n === n)!;
    expect(c).toBeDefined();
    expect(content).toContain(`- [${n}] ${c.title}. ${citations[n - 1]}`);
    expect(search_results[n - 1]).toMatchObject({ n, id: c.id, title: c.title, cited: true, url: citations[n - 1] });
    // The quote is a literal span of the cited abstract, and travels as the Perplexity snippet too.
    const abstract = papers.find((p) => p.id === c.id)!.abstract;
    expect(c.quote).toBeDefined();
    expect(abstract.slice(c.quote!.start, c.quote!.end)).toBe(c.quote!.text);
    expect(search_results[n - 1]!.snippet).toBe(c.quote!.text);
  }
  expect(citations).toHaveLength(search_results.length);
  expect(citations.every((u) => u.startsWith('http://paper-chat.test/api/papers/'))).toBe(true);
  expect(result.signature).toMatch(/^[0-9a-f]{64}$/);
}

describe('GET /v1/models', () => {
  it('lists paper-chat, retrieves it, and 404s any other model', async () => {
    const list = await client.models.list();
    expect(list.data.map((m) => m.id)).toEqual(['paper-chat']);
    expect((await client.models.retrieve('paper-chat')).id).toBe('paper-chat');
    await expect(client.models.retrieve('gpt-4o')).rejects.toMatchObject({ status: 404 });
  });
});

describe('POST /v1/chat/completions with the openai SDK', () => {
  it('without streaming: a cited answer with the markers intact, and the quotes in the extension fields', async () => {
    const paper = papers[3]!;
    const completion = await client.chat.completions.create({
      model: 'paper-chat',
      messages: [
        { role: 'system', content: 'You are a helpful assistant. Answer in French.' },
        { role: 'user', content: questionFrom(paper) },
      ],
    });
    expect(ChatCompletionSchema.parse(completion)).toBeTruthy();
    expect(completion.choices).toHaveLength(1);
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    const extra = completion as unknown as ChatCompletion;
    expectCitedAnswer(completion.choices[0]!.message.content!, extra);
    expect(extra.paper_chat.citations.map((c) => c.id)).toContain(paper.id);
    expect(completion.usage!.total_tokens).toBe(completion.usage!.prompt_tokens + completion.usage!.completion_tokens);
  });

  it('streaming with include_usage: the deltas add up to the final content; the final chunk carries the citations; usage comes last', async () => {
    const paper = papers[10]!;
    const stream = await client.chat.completions.create({ model: 'paper-chat', messages: [{ role: 'user', content: questionFrom(paper) }], stream: true, stream_options: { include_usage: true } });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    for (const chunk of chunks) expect(() => ChatCompletionChunkSchema.parse(chunk)).not.toThrow();
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    const final = chunks.find((c) => c.choices[0]?.finish_reason === 'stop')!;
    expect(final).toBeDefined();
    const extra = final as unknown as CompletionCitations;
    expectCitedAnswer(text, extra);
    expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage!.completion_tokens).toBeGreaterThan(0);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
  });

  it('streaming without stream_options: no usage chunk; the stream ends with the final chunk', async () => {
    const stream = await client.chat.completions.create({ model: 'paper-chat', messages: [{ role: 'user', content: questionFrom(papers[20]!) }], stream: true });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe('stop');
    expect(chunks.some((c) => c.usage)).toBe(false);
  });

  it('a question the collection does not answer: the abstention says so in the content, with no citations', async () => {
    const completion = await client.chat.completions.create({ model: 'paper-chat', messages: [{ role: 'user', content: OFF_TOPIC }] });
    const extra = completion as unknown as ChatCompletion;
    expect(extra.paper_chat.abstained).toBe(true);
    expect(extra.citations).toEqual([]);
    expect(completion.choices[0]!.message.content).toBe(extra.paper_chat.content);
    expect(completion.choices[0]!.message.content).toMatch(/couldn't find an answer/i);
  });

  it('errors reach the SDK as API errors with the status and a message that says what to do', async () => {
    await expect(client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ status: 404, message: expect.stringContaining('paper-chat') });
    await expect(client.chat.completions.create({ model: 'paper-chat', messages: [{ role: 'system', content: 'only a system message' }] })).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining('messages'),
    });
    await expect(client.chat.completions.create({ model: 'paper-chat', messages: [{ role: 'user', content: 'x'.repeat(9000) }] })).rejects.toMatchObject({ status: 400 });
    await expect(client.chat.completions.create({ model: 'paper-chat', n: 2, messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ status: 400, message: expect.stringContaining('n') });
  });
});

/** A raw request as a client sends it. */
async function post(body: unknown) {
  const res = await built.app.request('http://paper-chat.test/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-anything' }, body: JSON.stringify(body) });
  return res;
}

/** The `data:` payloads of an OpenAI stream. */
const dataLines = (text: string) => text.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6));

describe('request shapes of Open WebUI and LibreChat', () => {
  it('Open WebUI: a system prompt, an earlier exchange sent back with its sources list, stream_options, and its own extra fields', async () => {
    const first = (await (await post({ model: 'paper-chat', messages: [{ role: 'user', content: questionFrom(papers[5]!) }] })).json()) as ChatCompletion;
    const res = await post({
      model: 'paper-chat',
      stream: true,
      stream_options: { include_usage: true },
      messages: [
        { role: 'system', content: 'Use the following context as your learned knowledge...' },
        { role: 'user', content: questionFrom(papers[5]!) },
        { role: 'assistant', content: first.choices[0]!.message.content },
        { role: 'user', content: 'What else does that paper say?' },
      ],
      temperature: 0.7,
      top_p: 0.9,
      max_tokens: 512,
      seed: 42,
      user: { name: 'someone', id: 'u1' },
      metadata: { chat_id: 'abc', message_id: 'def', session_id: 'ghi' },
      params: {},
      features: { web_search: false },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const lines = dataLines(await res.text());
    expect(lines.at(-1)).toBe('[DONE]');
    const chunks = lines.slice(0, -1).map((l) => JSON.parse(l) as OpenAI.Chat.Completions.ChatCompletionChunk);
    const final = chunks.find((c) => c.choices[0]?.finish_reason === 'stop') as unknown as CompletionCitations;
    // The follow-up is about the paper the sent-back answer cited: it is cited again.
    expect(final.paper_chat.citations.map((c) => c.id)).toContain(first.paper_chat.citations[0]!.id);
    expect(chunks.at(-1)!.usage).toBeTruthy();
  });

  it('LibreChat: content as text parts, penalties, stop sequences and a user id', async () => {
    const res = await post({
      model: 'paper-chat',
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'Instructions' }] },
        { role: 'user', content: [{ type: 'text', text: questionFrom(papers[7]!) }] },
      ],
      frequency_penalty: 0,
      presence_penalty: 0,
      stop: ['\n\nHuman:'],
      user: 'user-123',
      stream: false,
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as ChatCompletion;
    expect(body.paper_chat.citations.map((c) => c.id)).toContain(papers[7]!.id);
  });
});

describe('toChatMessages', () => {
  it('drops system, developer and tool messages; cuts an assistant turn at its sources list and keeps the ids it links to', () => {
    const answer = 'Transformers prune well [1].';
    const content = `${answer}${SOURCES_HEADING}- [1] A paper. http://x/api/papers/a-paper-1a2b3c`;
    expect(
      toChatMessages([
        { role: 'system', content: 'sys' },
        { role: 'developer', content: 'dev' },
        { role: 'user', content: [{ type: 'text', text: 'part one' }, { type: 'image_url' }, { type: 'text', text: 'part two' }] },
        { role: 'assistant', content },
        { role: 'tool', content: 'tool output' },
        { role: 'user', content: 'and then?' },
      ]),
    ).toEqual([
      { role: 'user', content: 'part one\npart two' },
      { role: 'assistant', content: answer, citations: ['a-paper-1a2b3c'] },
      { role: 'user', content: 'and then?' },
    ]);
  });
});
