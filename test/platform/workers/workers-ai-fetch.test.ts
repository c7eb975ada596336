/**
 * WORKERS_AI_MODEL: the OpenAI SDK client answering through the Workers AI binding
 * (`workersAiFetch`), as the answer path uses it: streamed completions (answers and query rewrites
 * alike), plain completions, and the ways a binding fails (an error thrown, a stream cut before
 * `[DONE]`).
 * The binding here emits exactly Workers AI's wire format (SSE `data: {"response": ...}` events,
 * then `data: [DONE]`), in uneven byte chunks.
 */
import { describe, expect, it } from 'vitest';
import { workersAiLlm } from '../../../src/answer/llm-client.js';
import { Budget, LlmFailure, streamCompletion } from '../../../src/answer/llm.js';
import { loadPrompts } from '../../../src/platform/node/prompts.js';
import { rewriteQuery } from '../../../src/answer/rewrite.js';
import { loadConfig } from '../../../src/config.js';
import type { AiLike } from '../../../src/platform/workers/bindings.js';

const MODEL = '@cf/meta/llama-3.2-3b-instruct';

/** A binding that records its calls and streams `pieces` (then [DONE] unless `cut`), split into 7-byte chunks. */
function binding(pieces: string[], options: { cut?: boolean; fail?: Error; reply?: string } = {}) {
  const calls: { model: string; inputs: Record<string, unknown> }[] = [];
  const ai: AiLike = {
    async run(model, inputs) {
      calls.push({ model, inputs });
      if (options.fail) throw options.fail;
      if (!inputs.stream) return { response: options.reply ?? pieces.join('') };
      const wire = pieces.map((p) => `data: ${JSON.stringify({ response: p })}\n\n`).join('') + (options.cut ? '' : 'data: [DONE]\n\n');
      const bytes = new TextEncoder().encode(wire);
      return new ReadableStream<Uint8Array>({
        start(c) {
          for (let i = 0; i < bytes.length; i += 7) c.enqueue(bytes.slice(i, i + 7));
          c.close();
        },
      });
    },
  };
  return { ai, calls };
}

const config = loadConfig({ LLM_MAX_TOKENS: '300' });
const MESSAGES = [
  { role: 'system' as const, content: 'Answer from the excerpts.' },
  { role: 'user' as const, content: '[1] Speculative sampling\nWe present speculative sampling, which speeds up decoding 2-2.5x.\n\nQuestion: How much faster is it?' },
];
const budget = () => new Budget(10_000);

async function collect(gen: AsyncGenerator<string, string>): Promise<{ deltas: string[]; text: string }> {
  const deltas: string[] = [];
  for (let r = await gen.next(); ; r = await gen.next()) {
    if (r.done) return { deltas, text: r.value };
    deltas.push(r.value);
  }
}

describe('Workers AI text models behind the OpenAI client', () => {
  it('streams a completion as it arrives, with the messages and token cap sent to the binding', async () => {
    const { ai, calls } = binding(['Speculative sampling ', 'speeds up decoding ', '2-2.5x [1].']);
    const llm = workersAiLlm(ai, MODEL, config, await loadPrompts('prompts'));
    const { deltas, text } = await collect(streamCompletion(llm, MESSAGES, 300, budget()));
    expect(text).toBe('Speculative sampling speeds up decoding 2-2.5x [1].');
    expect(deltas).toEqual(['Speculative sampling ', 'speeds up decoding ', '2-2.5x [1].']);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.model).toBe(MODEL);
    expect(calls[0]!.inputs).toMatchObject({ stream: true, max_tokens: 300, temperature: 0, messages: MESSAGES });
  });

  it('treats a stream cut before [DONE] as cut off, not as a complete answer', async () => {
    const { ai } = binding(['Speculative sampling is ', 'faster [1] but'], { cut: true });
    const llm = workersAiLlm(ai, MODEL, config, await loadPrompts('prompts'));
    await expect(collect(streamCompletion(llm, MESSAGES, 300, budget()))).rejects.toThrow('the LLM stream ended without finishing (cut off)');
  });

  it('turns a failing binding into an LLM failure (the answerer falls back), its error only in the log detail', async () => {
    const { ai } = binding([], { fail: new Error('AiError: 3040: capacity temporarily exceeded') });
    const llm = workersAiLlm(ai, MODEL, config, await loadPrompts('prompts'));
    const error = await collect(streamCompletion(llm, MESSAGES, 300, budget())).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LlmFailure);
    expect((error as LlmFailure).message).toBe('the language model service did not answer');
    expect((error as LlmFailure).detail).toBe('the LLM server answered HTTP 502');
  });

  it('rewrites a follow-up into a standalone query through the binding (a streamed call), keeping its first line', async () => {
    const { ai, calls } = binding(['speculative sampling ', 'speed-up\nextra line']);
    const llm = workersAiLlm(ai, MODEL, config, await loadPrompts('prompts'));
    const query = await rewriteQuery(
      llm,
      [
        { role: 'user', content: 'What is speculative sampling?' },
        { role: 'assistant', content: 'It drafts tokens with a small model [1].' },
        { role: 'user', content: 'How much faster is it?' },
      ],
      budget(),
    );
    expect(query).toBe('speculative sampling speed-up');
    expect(calls[0]!.inputs.stream).toBe(true);
    const prompt = (calls[0]!.inputs.messages as { content: string }[])[0]!.content;
    expect(prompt).toContain('Assistant: It drafts tokens with a small model [1].');
    expect(prompt).toContain('Last message: How much faster is it?');
  });

  it('answers non-streaming calls too, in the OpenAI format', async () => {
    const { ai, calls } = binding([], { reply: 'A plain reply.' });
    const llm = workersAiLlm(ai, MODEL, config, await loadPrompts('prompts'));
    const res = await llm.client.chat.completions.create({ model: MODEL, messages: MESSAGES, max_tokens: 20 });
    expect(res.choices[0]!.message.content).toBe('A plain reply.');
    expect(res.choices[0]!.finish_reason).toBe('stop');
    expect(calls[0]!.inputs).toMatchObject({ stream: false, max_tokens: 20 });
  });
});
