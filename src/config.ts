import { z } from 'zod';
import { DEFAULT_LLM_BOUNDS } from './answer/llm.js';
import { DEFAULT_RECORDING } from './insights/recorder.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off', ''])
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v));
const optionalString = z
  .string()
  .trim()
  .transform((v) => v || undefined)
  .optional();

/**
 * Every setting, read from environment variables once at start-up. The README's configuration
 * table mirrors this schema: keep them in step.
 */
export const ConfigSchema = z.object({
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  CORPUS_PATH: z.string().default('data/papers.txt'),
  INDEX_DIR: z.string().default('data/index'),
  EMBEDDING_MODEL: z.string().default('Xenova/bge-small-en-v1.5'),
  MODELS_DIR: z.string().default('models'),
  ALLOW_REMOTE_MODELS: bool.default(true),
  EMBEDDING_LOAD_TIMEOUT_MS: z.coerce.number().int().positive().default(120_000),
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: z.union([z.url(), z.literal('')]).transform((v) => v || undefined).optional(),
  OPENAI_MODEL: z.string().default('gpt-4o-mini'),
  LLM_TIMEOUT_MS: z.coerce.number().int().positive().default(DEFAULT_LLM_BOUNDS.timeoutMs),
  LLM_DEADLINE_MS: z.coerce.number().int().positive().default(DEFAULT_LLM_BOUNDS.deadlineMs),
  LLM_MAX_TOKENS: z.coerce.number().int().min(16).max(32_000).default(DEFAULT_LLM_BOUNDS.maxTokens),
  PROMPTS_DIR: z.string().default('prompts'),
  ANSWER_SIGNING_KEY: optionalString,
  ALLOWED_ORIGINS: z
    .string()
    .default('')
    .transform((v) => v.split(',').map((o) => o.trim().replace(/\/$/, '')).filter(Boolean))
    .refine((list) => list.every((o) => o === '*' || /^https?:\/\/[^/\s]+$/i.test(o)), {
      message: 'each origin must be scheme and host, e.g. https://blog.example.org (or * for any)',
    }),
  ALLOWED_HOSTS: z
    .string()
    .default('')
    .transform((v) => v.split(',').map((h) => h.trim().toLowerCase()).filter(Boolean)),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(120),
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  MAX_CONCURRENT_CHATS: z.coerce.number().int().min(1).default(32),
  CHAT_QUEUE: z.coerce.number().int().min(0).default(256),
  CHAT_QUEUE_WAIT_MS: z.coerce.number().int().min(0).default(10_000),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
  // Node server only (src/node/http-server.ts, DEFAULT_SOCKET_LIMITS documents each).
  HEADERS_TIMEOUT_MS: z.coerce.number().int().min(1_000).default(15_000),
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1_000).default(60_000),
  MAX_CONNECTIONS_PER_CLIENT: z.coerce.number().int().min(0).default(256),
  REQUEST_LOG: bool.default(true),
  // Feedback, answer records and coverage gaps (src/insights/), in DATABASE_PATH on Node and the
  // FEEDBACK_DB D1 binding on Workers.
  FEEDBACK: bool.default(true),
  GAP_LOG: bool.default(true),
  GAP_WEAK_BELOW: z.coerce.number().min(0).max(1).default(DEFAULT_RECORDING.weakBelow),
  DATABASE_PATH: z.string().default('data/paper-chat.db'),
  ADMIN_TOKEN: z
    .string()
    .trim()
    .transform((v) => v || undefined)
    .refine((v) => v === undefined || v.length >= 16, { message: 'must be at least 16 characters (e.g. openssl rand -hex 24)' })
    .optional(),
  // Cloudflare Workers only (src/worker.ts): where the index is, and the Workers AI models.
  INDEX_STORAGE: z.enum(['assets', 'd1']).default('assets'),
  WORKERS_AI_EMBEDDING_MODEL: z.string().default('@cf/baai/bge-small-en-v1.5'),
  WORKERS_AI_MODEL: optionalString,
});
export type Config = z.infer<typeof ConfigSchema>;

/** Thrown for a bad setting; the message names the variable and what it accepts. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Validates `env` (defaults fill the gaps); throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  // An empty variable (PORT=) means "not set": the default applies.
  const picked = Object.fromEntries(Object.keys(ConfigSchema.shape).map((k) => [k, env[k]]).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = ConfigSchema.safeParse(picked);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}=${JSON.stringify(picked[String(i.path[0])])}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

/** True when an LLM is configured: an API key, a base URL (local servers need no key), or both. */
export const llmConfigured = (c: Config) => Boolean(c.OPENAI_API_KEY || c.OPENAI_BASE_URL);
