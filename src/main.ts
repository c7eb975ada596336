/**
 * The Node server's process entry (`npm start` runs its compiled `dist/main.js`). The server
 * itself is `src/node.ts`, which other entries (the CLI) import without starting anything.
 */
import { main } from './node.js';

void main();
