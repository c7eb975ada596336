import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../../config.js';
import type { PromptTemplates } from '../../answer/prompts.js';

/** Reads `answer.txt`, `condense.txt` and `translate.txt` from the prompts folder (Node only). */
export async function loadPrompts(dir: string): Promise<PromptTemplates> {
  const read = async (name: string) => {
    try {
      return await readFile(join(dir, name), 'utf8');
    } catch {
      throw new ConfigError(`PROMPTS_DIR: the prompt template ${join(dir, name)} is missing: restore it from the repository or point PROMPTS_DIR at a folder holding answer.txt, condense.txt and translate.txt`);
    }
  };
  return { answer: await read('answer.txt'), condense: await read('condense.txt'), translate: await read('translate.txt') };
}
