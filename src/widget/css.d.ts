// scripts/build-web.mjs bundles `.css` files with esbuild's text loader: importing one gives its text.
declare module '*.css' {
  const css: string;
  export default css;
}
