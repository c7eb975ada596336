import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, llmConfigured } from '../src/config.js';

describe('loadConfig', () => {
  it('fills defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ HOST: '127.0.0.1', PORT: 8787, CORPUS_PATH: 'data/papers.txt', INDEX_DIR: 'data/index', OPENAI_MODEL: 'gpt-4o-mini', ALLOW_REMOTE_MODELS: true, RATE_LIMIT_PER_MINUTE: 120, TRUST_PROXY_HOPS: 0 });
    expect(c.ALLOWED_ORIGINS).toEqual([]);
    expect(llmConfigured(c)).toBe(false);
  });

  it('treats an empty variable as unset', () => {
    const c = loadConfig({ PORT: '', OPENAI_BASE_URL: '', OPENAI_API_KEY: '' });
    expect(c.PORT).toBe(8787);
    expect(c.OPENAI_BASE_URL).toBeUndefined();
    expect(c.OPENAI_API_KEY).toBeUndefined();
    expect(llmConfigured(c)).toBe(false);
  });

  it('parses lists, booleans and numbers', () => {
    const c = loadConfig({ ALLOWED_ORIGINS: 'https://a.example, https://b.example/ ,', ALLOW_REMOTE_MODELS: 'false', PORT: '0', LLM_TIMEOUT_MS: '1500' });
    expect(c.ALLOWED_ORIGINS).toEqual(['https://a.example', 'https://b.example']);
    expect(c.ALLOW_REMOTE_MODELS).toBe(false);
    expect(c.PORT).toBe(0);
    expect(c.LLM_TIMEOUT_MS).toBe(1500);
  });

  it('turns the LLM on with a key, a base URL, or both', () => {
    expect(llmConfigured(loadConfig({ OPENAI_API_KEY: 'k' }))).toBe(true);
    expect(llmConfigured(loadConfig({ OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1' }))).toBe(true);
  });

  it('names every bad variable', () => {
    let err: unknown;
    try {
      loadConfig({ PORT: '99999', OPENAI_BASE_URL: 'not a url', LLM_TIMEOUT_MS: '-5' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const message = (err as Error).message;
    for (const name of ['PORT', 'OPENAI_BASE_URL', 'LLM_TIMEOUT_MS']) expect(message).toContain(name);
  });
});
