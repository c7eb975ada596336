// Prompt templates are bundled as text by wrangler (rules in wrangler.toml) and esbuild.
declare module '*.txt' {
  const text: string;
  export default text;
}
