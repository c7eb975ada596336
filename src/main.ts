/**
 * The Node server's process entry (`npm start` runs its compiled `dist/main.js`). It installs the
 * SIGINT/SIGTERM handlers first, before the server's modules (and their dependencies) load, so no
 * signal finds the process without them; the server itself is `src/node.ts`, which other entries
 * (the CLI) import without starting anything.
 */
import { stopOnSignals } from './node/lifecycle.js';

const signals = stopOnSignals((m) => console.error(`paper chat: ${m}`));
const { main } = await import('./node.js');
await main(signals);
