import type { AiLike } from './bindings.js';

/**
 * A `fetch` for the OpenAI SDK that answers chat-completion requests from a Workers AI text model
 * through the AI binding, in the OpenAI wire format (JSON, or SSE chunks when streaming). With it
 * the LLM path (`LlmOptions.client`) is the same SDK client whichever serves the model, the way
 * vercel/ai wraps providers behind one interface. Workers AI streams `data: {"response": "..."}`
 * events and `data: [DONE]`; the end becomes `finish_reason: "stop"` (a stream cut before
 * `[DONE]` carries none, so the answerer treats it as cut).
 */
export function workersAiFetch(ai: AiLike, model: string): typeof fetch {
  return async (_input, init) => {
    let body: { messages?: unknown; max_tokens?: number; max_completion_tokens?: number; temperature?: number; stream?: boolean };
    try {
      body = JSON.parse(String(init?.body ?? '{}')) as typeof body;
    } catch {
      return Response.json({ error: { message: 'the request body is not JSON' } }, { status: 400 });
    }
    const inputs: Record<string, unknown> = { messages: body.messages, stream: Boolean(body.stream) };
    const maxTokens = body.max_tokens ?? body.max_completion_tokens;
    if (maxTokens !== undefined) inputs.max_tokens = maxTokens;
    if (body.temperature !== undefined) inputs.temperature = body.temperature;
    let out: unknown;
    try {
      // No AbortSignal crosses the binding (it cannot be sent over RPC): when the answerer gives
      // up, the SDK stops reading, and cancelling the response cancels the model's stream.
      out = await ai.run(model, inputs);
    } catch (e) {
      return Response.json({ error: { message: `Workers AI: ${e instanceof Error ? e.message : String(e)}` } }, { status: 502 });
    }
    const id = `workers-ai-${crypto.randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    if (!body.stream) {
      const text = typeof (out as { response?: unknown })?.response === 'string' ? (out as { response: string }).response : '';
      return Response.json({ id, object: 'chat.completion', created, model, choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }] });
    }
    if (!(out instanceof ReadableStream)) return Response.json({ error: { message: `Workers AI model ${model} did not stream` } }, { status: 502 });
    const chunk = (delta: Record<string, string>, finish: string | null) =>
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    const encoder = new TextEncoder();
    let pending = '';
    const translate = (line: string, emit: (s: string) => void) => {
      if (!line.startsWith('data:')) return;
      const data = line.slice(5).trim();
      if (data === '[DONE]') {
        emit(chunk({}, 'stop'));
        emit('data: [DONE]\n\n');
        return;
      }
      try {
        const event = JSON.parse(data) as { response?: unknown };
        if (typeof event.response === 'string' && event.response) emit(chunk({ content: event.response }, null));
      } catch {
        // A malformed event is dropped; the answerer's checks judge what arrives.
      }
    };
    const stream = (out as ReadableStream<Uint8Array>).pipeThrough(new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>).pipeThrough(
      new TransformStream<string, Uint8Array>({
        transform(text, controller) {
          pending += text;
          const lines = pending.split('\n');
          pending = lines.pop() ?? '';
          for (const line of lines) translate(line, (s) => controller.enqueue(encoder.encode(s)));
        },
        flush(controller) {
          translate(pending, (s) => controller.enqueue(encoder.encode(s)));
        },
      }),
    );
    return new Response(stream, { headers: { 'content-type': 'text/event-stream' } });
  };
}
