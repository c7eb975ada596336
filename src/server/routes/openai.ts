import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { Answerer } from '../../answer/answerer.js';
import type { Paper } from '../../corpus/schema.js';
import { ChatRequestSchema } from '../../protocol/api.js';
import type { ChatMessage, ChatResult, Source } from '../../protocol/chat.js';
import { ChatCompletionRequestSchema, OPENAI_MODEL_ID, type ChatCompletion, type ChatCompletionChunk } from '../../protocol/openai.js';
import type { Retriever } from '../../retrieval/retriever.js';
import { answerSignal, collectForRequest, SHUTDOWN_MESSAGE } from '../answering.js';
import { ApiError, describeZodError } from '../errors.js';
import { jsonBody } from '../middleware/json-body.js';
import { completionCitations, estimateTokens, idsOf, sourcesList, toChatMessages } from '../openai/content.js';

/** When the model was "created", for `/v1/models` (a fixed date: the model is this server). */
const MODEL_CREATED = 1767225600;
const MODEL = { id: OPENAI_MODEL_ID, object: 'model' as const, created: MODEL_CREATED, owned_by: 'paper-chat' };

const modelNotFound = (id: string) => new ApiError(404, 'model_not_found', `The model "${id}" does not exist here: this server offers one model, "${OPENAI_MODEL_ID}".`);

/** The conversation of a completion request, validated as `/api/chat` validates its own. */
function conversation(body: { model: string; messages: Parameters<typeof toChatMessages>[0] }): ChatMessage[] {
  if (body.model !== OPENAI_MODEL_ID) throw modelNotFound(body.model);
  const parsed = ChatRequestSchema.shape.messages.safeParse(toChatMessages(body.messages));
  if (!parsed.success) throw new ApiError(400, 'invalid_request', `${describeZodError(parsed.error)} (system messages do not count)`);
  return parsed.data;
}

/** The papers a result names, by id (for their links and years). */
async function papersOf(retriever: Retriever, result: ChatResult, sources: readonly Source[]): Promise<Map<string, Paper>> {
  return new Map((await retriever.getPapers(idsOf(result, sources))).map((p) => [p.id, p]));
}

const usage = (messages: readonly ChatMessage[], content: string) => {
  const prompt = estimateTokens(messages.map((m) => m.content).join('\n'));
  const completion = estimateTokens(content);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
};

/**
 * `GET /v1/models` and `POST /v1/chat/completions`: the cited answerer behind the OpenAI protocol,
 * streaming (`stream: true`, server-sent `data:` chunks ending in `[DONE]`) or not. The content is
 * the answer with its `[n]` markers and a trailing sources list; the citations with their quotes,
 * `abstained` and `verified` ride in the extension fields (see `CompletionCitationsSchema`).
 */
export function openAiRoutes(answerer: Answerer, retriever: Retriever, log: (msg: string) => void, stop?: AbortSignal) {
  return new Hono()
    .get('/v1/models', (c) => c.json({ object: 'list' as const, data: [MODEL] }))
    .get('/v1/models/:model', (c) => {
      if (c.req.param('model') !== OPENAI_MODEL_ID) throw modelNotFound(c.req.param('model'));
      return c.json(MODEL);
    })
    .post('/v1/chat/completions', jsonBody(ChatCompletionRequestSchema), async (c) => {
      const body = c.get('body');
      const messages = conversation(body);
      const origin = new URL(c.req.url).origin;
      const id = `chatcmpl-${crypto.randomUUID()}`;
      const created = Math.floor(Date.now() / 1000);

      if (!body.stream) {
        const { sources, result } = await collectForRequest(answerer, messages, c.req.raw, stop);
        const extra = completionCitations(result, sources, await papersOf(retriever, result, sources), origin);
        const completion: ChatCompletion = {
          id,
          object: 'chat.completion',
          created,
          model: OPENAI_MODEL_ID,
          choices: [{ index: 0, message: { role: 'assistant', content: extra.paper_chat.content, refusal: null }, finish_reason: 'stop', logprobs: null }],
          usage: usage(messages, extra.paper_chat.content),
          ...extra,
        };
        return c.json(completion);
      }

      const chunk = (delta: ChatCompletionChunk['choices'][number]['delta'], rest: Partial<ChatCompletionChunk> = {}, finish: 'stop' | null = null): ChatCompletionChunk => ({
        id,
        object: 'chat.completion.chunk',
        created,
        model: OPENAI_MODEL_ID,
        choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
        ...rest,
      });
      const includeUsage = body.stream_options?.include_usage === true;
      c.header('X-Accel-Buffering', 'no');
      c.header('Cache-Control', 'no-cache');
      return streamSSE(
        c,
        async (sse) => {
          const run = answerSignal(c.req.raw, stop);
          sse.onAbort(() => run.release());
          const send = (data: unknown) => sse.writeSSE({ data: JSON.stringify(data) });
          let sources: Source[] = [];
          let streamed = '';
          let finished = false;
          try {
            await send(chunk({ role: 'assistant', content: '' }));
            for await (const event of answerer.answer(messages, { signal: run.signal })) {
              if (sse.aborted || sse.closed) break;
              if (event.type === 'sources') sources = event.sources;
              else if (event.type === 'delta') {
                streamed += event.text;
                await send(chunk({ content: event.text }));
              } else if (event.type === 'error') {
                await send({ error: { code: event.code, message: event.message } });
                finished = true;
              } else {
                const papers = await papersOf(retriever, event.result, sources);
                const extra = completionCitations(event.result, sources, papers, origin);
                // The answer as checked: when it only extends what was streamed, the rest follows as
                // content; either way `paper_chat.content` is the final content.
                const rest = event.result.answer.startsWith(streamed) ? event.result.answer.slice(streamed.length) : '';
                await send(chunk({ content: rest + sourcesList(event.result, papers, origin) }, extra, 'stop'));
                if (includeUsage) await send({ ...chunk({}), choices: [], usage: usage(messages, extra.paper_chat.content) });
                await sse.writeSSE({ data: '[DONE]' });
                finished = true;
              }
            }
          } catch (e) {
            if (!run.stopped()) throw e;
          } finally {
            run.release();
          }
          if (!finished && run.stopped() && !sse.closed) await send({ error: { code: 'shutting_down', message: SHUTDOWN_MESSAGE } });
        },
        async (err, sse) => {
          log(`completion stream failed: ${err.stack ?? err.message}`);
          await sse.writeSSE({ data: JSON.stringify({ error: { code: 'internal', message: 'The answer could not be completed. Try again.' } }) });
        },
      );
    });
}
