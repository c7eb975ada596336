import { MAX_CITED_IDS, MAX_MESSAGE_CHARS } from '../../protocol/limits.js';
import type { ChatMessage, ChatResult, Source, Vote } from './types.js';

/**
 * The conversation as data: its turns, what the next request sends as context, and the copy kept
 * in sessionStorage across reloads. No DOM.
 */

export type Status = 'streaming' | 'done' | 'stopped' | 'error';

/** What the reader said about an answer, as the server took it. */
export interface TurnFeedback {
  vote?: Vote;
  /** Ids of the cited papers marked as wrong citations. */
  wrong?: string[];
}

export interface Turn {
  q: string;
  status: Status;
  /** Streamed text so far (the final text is `result.answer`). */
  text: string;
  sources: Source[];
  result?: ChatResult;
  error?: { code: string; message: string };
  feedback?: TurnFeedback;
}

/**
 * Completed turns sent as context. 10 turns are 20 messages plus the question: well inside the
 * server's MAX_TURNS (50).
 */
const HISTORY_TURNS = 10;
/** The stored format; another version is ignored. */
const VERSION = 1;

/** A message as the server accepts it: at most MAX_MESSAGE_CHARS characters. */
export const clip = (s: string) => (s.length > MAX_MESSAGE_CHARS ? s.slice(0, MAX_MESSAGE_CHARS) : s);

export interface Conversation {
  readonly turns: readonly Turn[];
  /** Starts a turn for `q` (already clipped and trimmed). */
  add(q: string): Turn;
  remove(turn: Turn): void;
  clear(): void;
  isLast(turn: Turn): boolean;
  /** The messages to send for a new question: the recent answered turns, then the question. */
  messages(question: string): ChatMessage[];
  /** Writes the conversation to sessionStorage (when it has a key). */
  save(): void;
}

/** The conversation, restored from sessionStorage under `storageKey` when one is given. */
export function createConversation(storageKey?: string): Conversation {
  let turns: Turn[] = restore(storageKey);

  function history(): ChatMessage[] {
    const out: ChatMessage[] = [];
    for (const t of turns.filter((t) => t.result).slice(-HISTORY_TURNS)) {
      // The cited ids travel with the answer, so a follow-up is about exactly those papers.
      const citations = t.result!.citations.map((c) => c.id).slice(0, MAX_CITED_IDS);
      // The server's signature travels back with its answer, so the LLM may see it as the assistant's words.
      const { signature } = t.result!;
      out.push(
        { role: 'user', content: clip(t.q) },
        { role: 'assistant', content: clip(t.result!.answer), ...(citations.length ? { citations } : {}), ...(signature ? { signature } : {}) },
      );
    }
    return out;
  }

  const conversation: Conversation = {
    get turns() {
      return turns;
    },
    add(q) {
      const turn: Turn = { q, status: 'streaming', text: '', sources: [] };
      turns.push(turn);
      return turn;
    },
    remove(turn) {
      turns = turns.filter((t) => t !== turn);
    },
    clear() {
      turns = [];
    },
    isLast: (turn) => turn === turns[turns.length - 1],
    messages: (question) => [...history(), { role: 'user', content: question }],
    save() {
      if (!storageKey) return;
      try {
        if (!turns.length) sessionStorage.removeItem(storageKey);
        else sessionStorage.setItem(storageKey, JSON.stringify({ v: VERSION, turns: turns.map((t) => ({ ...t, sources: t.result ? [] : t.sources })) }));
      } catch {
        /* storage full or blocked: the conversation just won't survive a reload */
      }
    },
  };
  return conversation;
}

/** The turns kept under `key`; an unreadable copy starts a fresh conversation. */
function restore(key: string | undefined): Turn[] {
  if (!key) return [];
  const out: Turn[] = [];
  try {
    const saved = JSON.parse(sessionStorage.getItem(key) ?? 'null') as { v?: number; turns?: Turn[] } | null;
    if (saved?.v !== VERSION || !Array.isArray(saved.turns)) return [];
    for (const t of saved.turns) {
      if (typeof t?.q !== 'string') continue;
      const turn: Turn = {
        q: t.q,
        // An answer cut off by the reload is shown as stopped.
        status: t.status === 'streaming' ? 'stopped' : t.status,
        text: typeof t.text === 'string' ? t.text : '',
        sources: Array.isArray(t.sources) ? t.sources : [],
        ...(t.result && typeof t.result.answer === 'string' && Array.isArray(t.result.citations) ? { result: t.result } : {}),
        ...(t.error ? { error: t.error } : {}),
        ...(t.feedback && typeof t.feedback === 'object' ? { feedback: t.feedback } : {}),
      };
      if (turn.status === 'done' && !turn.result) turn.status = 'stopped';
      out.push(turn);
    }
  } catch {
    /* unreadable: start fresh */
  }
  return out;
}
