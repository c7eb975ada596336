/**
 * WORKERS_AI_MODEL: the OpenAI SDK client answering through the Workers AI binding
 * (`workersAiFetch`), as the answer path uses it: streamed answers, condensed follow-ups, and the
 * ways a binding fails (an error thrown, a stream cut before `[DONE]`, no stream at all).
 * The binding here emits exactly Workers AI's wire format (SSE `data: {"response": ...}` events,
 * then `data: [DONE]`), in uneven byte chunks.
 */
import { describe, expect, it } from 'vitest';
import { workersAiLlm } from '../../../src/answer/llm-client.js';
import { condenseQuery, LlmFailure, streamLlmAnswer } from '../../../src/answer/llm.js';
import { loadPrompts } from '../../../src/platform/node/prompts.js';
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

const sources = [{ n: 1, id: 'a', title: 'Speculative sampling', abstract: 'We present speculative sampling, which speeds up decoding 2-2.5x.' }];
const config = loadConfig({ LLM_MAX_TOKENS: '300' });

async function collect(gen: AsyncGenerator<string, string>): Promise<{ deltas: string[]; text: string }> {
  const deltas: string[] = [];
  for (let r = await gen.next(); ; r = await gen.next()) {
    if (r.done) return { deltas, text: r.value };
    deltas.push(r.value);
  }
}

describe('Workers AI text models behind the OpenAI client', () => {
  it('streams the answer as it arrives, with the prompt, history and token cap sent to the binding', async () => {
    const { ai, calls } = binding(['Speculative sampling ', 'speeds up decoding ', '2-2.5x [1].']);
    const llm = workersAiLlm(ai, MODEL, config, await loadPrompts('prompts'));
    const { deltas, text } = await collect(streamLlmAnswer(llm, [{ role: 'user', content: 'How much faster is it?' }], sources));
    expect(text).toBe('Speculative sampling speeds up decoding 2-2.5x [1].');
    expect(deltas.length).toBeGreaterThan(1);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.model).toBe(MODEL);
    expect(calls[0]!.inputs).toMatchObject({ stream: true, max_tokens: 300 });
    const messages = calls[0]!.inputs.messages as { role: string; content: string }[];
    expect(messages[0]!.role).toBe('system');
    expect(messages[0]!.content).toContain('Speculative sampling');
    expect(messages.at(-1)).toEqual({ role: 'user', content: 'How much faster is it?' });
  });

  it('treats a stream cut before [DONE] as cut off, not as a complete answer', async () => {
    const { ai } = binding(['Speculative sampling is ', 'faster [1] but'], { cut: true });
    const llm = workersAiLlm(ai, MODEL, config, await loadPrompts('prompts'));
    await expect(collect(streamLlmAnswer(llm, [{ role: 'user', content: 'How fast?' }], sources))).rejects.toThrow(LlmFailure);
  });

  it('turns a failing binding into an LLM failure (the answerer falls back)', async () => {
    const { ai } = binding([], { fail: new Error('AiError: 3040: capacity temporarily exceeded') });
    const llm = workersAiLlm(ai, MODEL, config, await loadPrompts('prompts'));
    await expect(collect(streamLlmAnswer(llm, [{ role: 'user', content: 'How fast?' }], sources))).rejects.toThrow(LlmFailure);
  });

  it('answers non-streaming calls (condensing a follow-up into a search query)', async () => {
    const { ai, calls } = binding([], { reply: 'speculative sampling speed-up\nextra line' });
    const llm = workersAiLlm(ai, MODEL, config, await loadPrompts('prompts'));
    const query = await condenseQuery(llm, [
      { role: 'user', content: 'What is speculative sampling?' },
      { role: 'assistant', content: 'It drafts tokens with a small model [1].' },
      { role: 'user', content: 'How much faster is it?' },
    ]);
    expect(query).toBe('speculative sampling speed-up');
    expect(calls[0]!.inputs.stream).toBe(false);
  });
});
