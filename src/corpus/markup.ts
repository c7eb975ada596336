/**
 * LaTeX and markup that abstracts carry from their sources, turned into the text it stands for:
 * font commands (`{\em x}`, `\textbf{x}`) keep their text, inline-math delimiters (`\( A \)`)
 * go, escaped characters (`\%`, `\_`) lose their backslash, `\eg` / `\ie` are spelled out, TeX
 * quotes become typographic ones. Applied at ingestion, so answers, quotes and the abstracts the
 * page shows all read the same text.
 *
 * @example
 * cleanMarkup('use {\\em labeled} data, \\eg 30\\% of \\( A \\)') // 'use labeled data, e.g. 30% of A'
 */
export function cleanMarkup(text: string): string {
  let s = text;
  // `{\em x}`, `{\bf x}`, `\emph{x}`, `\textbf{x}`: the text (innermost first, for nested groups).
  for (let i = 0; i < 3; i++) {
    s = s
      .replace(/\\(?:emph|textbf|textit|texttt|textsc|textrm|textsf|underline|mathrm|mathbf|mathit|text)\{([^{}]*)\}/g, '$1')
      .replace(/\{\\(?:em|bf|it|sc|tt|sl|rm|sf)\s+([^{}]*)\}/g, '$1');
  }
  return s
    .replace(/\\[([]\s*/g, '')
    .replace(/\s*\\[)\]]/g, '')
    .replace(/\\eg\b,?/g, 'e.g.')
    .replace(/\\ie\b,?/g, 'i.e.')
    .replace(/\\etal\b/g, 'et al.')
    .replace(/``/g, '“')
    .replace(/''/g, '”')
    .replace(/\\([%&_#$])/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}
