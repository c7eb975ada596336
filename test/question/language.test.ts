import { describe, expect, it } from 'vitest';
import { guessLanguage, scriptOf } from '../../src/question/language.js';

describe('guessLanguage: English or not, from function words and script', () => {
  it.each([
    ['¿Cuál es el artículo que propone comprimir redes neuronales?', 'spa'],
    ['Welche Methode beschleunigt das Training von großen Modellen?', 'deu'],
    ['Quelle méthode réduit la mémoire pendant l’entraînement ?', 'fra'],
    ['Quale articolo propone un nuovo ottimizzatore per le reti?', 'ita'],
    ['哪篇论文研究了神经网络的剪枝？', 'zho'],
    ['어떤 논문이 신경망 압축을 다루나요?', 'kor'],
  ])('%s is not English (%s or a close language)', (q) => {
    expect(guessLanguage(q).english).toBe(false);
  });
  it.each(['Which paper compresses neural networks?', 'sparse attention for long documents', 'MUVERA', 'How does the model use de-noising?', 'Is LoRA better than full fine-tuning?'])('%s is English', (q) => {
    expect(guessLanguage(q).english).toBe(true);
  });
});

describe('scriptOf and the language of text in a script other than Latin', () => {
  it.each([
    ['FlashAttention 与标准注意力相比快了多少？', 'Han', 'zho'],
    ['LoRA はどのくらいのパラメータを学習しますか？', 'Kana', 'jpn'],
    ['LoRA 는 어떤 행렬을 학습하나요?', 'Hangul', 'kor'],
  ])('%s is written in %s and read as %s, whatever Latin names it holds', (q, script, code) => {
    expect(scriptOf(q)).toBe(script);
    expect(guessLanguage(q).code).toBe(code);
  });
  it('reads text with no other script as Latin', () => {
    expect(scriptOf('Quelle méthode réduit la mémoire ?')).toBe('Latin');
  });
});
