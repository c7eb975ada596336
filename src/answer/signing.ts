import type { ChatMessage } from '../protocol/chat.js';
import { toHex } from '../util/hash.js';

/**
 * Signs the answers this server gives (HMAC-SHA256 over the question, the answer text and the ids
 * it cited: the same text given to two questions gets two signatures, so feedback names one answer),
 * so that when a client sends the conversation back, only assistant turns the server really wrote
 * reach the LLM as the assistant's words. A client can still send any text as its own (user) turn;
 * it cannot put words in the assistant's mouth. Web Crypto: the same on Node and Workers.
 */
export interface AnswerSigner {
  sign(answer: string, citations: readonly string[], question?: string): Promise<string>;
  verify(answer: string, citations: readonly string[], signature: string | undefined, question?: string): Promise<boolean>;
}

const encoder = new TextEncoder();
const payload = (answer: string, citations: readonly string[], question: string) => encoder.encode(`${question}\u0001${citations.join(',')}\u0000${answer}`);

/**
 * A signer keyed by `secret` (ANSWER_SIGNING_KEY, shared by every instance behind one address), or
 * by a random key: answers then stay trusted for as long as this process runs.
 */
export async function createAnswerSigner(secret?: string): Promise<AnswerSigner> {
  const raw = secret ? encoder.encode(secret) : crypto.getRandomValues(new Uint8Array(32));
  const key = await crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const sign = async (answer: string, citations: readonly string[], question = '') => toHex(await crypto.subtle.sign('HMAC', key, payload(answer, citations, question)));
  return {
    sign,
    async verify(answer, citations, signature, question = '') {
      if (!signature || !/^[0-9a-f]{64}$/.test(signature)) return false;
      const expected = await sign(answer, citations, question);
      let diff = 0;
      for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ signature.charCodeAt(i);
      return diff === 0;
    },
  };
}

/**
 * The conversation as the LLM may see it: assistant turns that carry this server's signature stay;
 * any other assistant turn is dropped (the user's turns around it stay), so a forged "the assistant
 * said …" never reaches the model. An answer is signed with the question it answered: the user turn
 * before it.
 */
export async function trustedTurns(messages: readonly ChatMessage[], signer: AnswerSigner): Promise<ChatMessage[]> {
  const kept: ChatMessage[] = [];
  let question = '';
  for (const m of messages) {
    if (m.role === 'user') question = m.content.trim();
    if (m.role !== 'assistant' || (await signer.verify(m.content, m.citations ?? [], m.signature, question))) kept.push(m);
  }
  return kept;
}
