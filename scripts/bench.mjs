#!/usr/bin/env node
/**
 * Benchmarks ingestion, start-up, memory, index size, search and chat latency at several corpus
 * sizes, writes bench/results.json and prints a Markdown table.
 *
 *   npm run bench                      sizes 224, 1,000, 10,000, 100,000 (about 8 minutes on 2 cores, half of it vectra at 2,000)
 *   npm run bench -- --quick           sizes 224 and 1,000, shorter load runs (about a minute on 2 cores)
 *   options: --sizes 224,10000   --seed N (default 1)   --out FILE (default bench/results.json)
 *            --no-real           skip the real model's ingest cost at 224 (about 25 s on 2 cores)
 *            --vectra 224,2000   sizes for vectra's own hybrid ("none" to skip; default 224, and 2000 in full runs)
 *            --workers 10000     sizes for the Worker in D1 mode under wrangler dev ("none" to skip; default
 *                                224 in quick runs, 224 and 10,000 in full runs)
 *
 * Per size:
 * - corpus: 224 is the real corpus (CORPUS_PATH's default, data/papers.txt, a copy of
 *   ../shared/corpus/papers.txt); other sizes the repository's one synthetic corpus
 *   (src/corpus/synthetic.ts, as scripts/synth-corpus.mjs writes it: the real papers plus papers
 *   recombined from their sentences and title words, seeded), cached under ~/.cache/paper-chat/bench/.
 * - ingest: package.json's "ingest" command with --force, wall clock: lexical only (a model that is
 *   not there: EMBEDDING_MODEL=bench/no-such-model, an empty MODELS_DIR, ALLOW_REMOTE_MODELS=false)
 *   and dense with EMBEDDING_MODEL=fake:384 (the deterministic fake embedder of
 *   src/retrieval/fake-embedder.ts; when the CLI does not know it, the manifest shows no vectors
 *   and the dense figures say so). At 224 also the real all-MiniLM-L6-v2 from MODELS_DIR (skipped
 *   with a note when its files are absent), and its embedding time alone, in process.
 * - start-up: package.json's "start" command (its "prestart" build runs once, untimed, first),
 *   spawned as node directly so the pid is the server's, on the index just built: started once to
 *   warm the file cache, then measured from spawn to the first 200 from GET /health (`startupMs`)
 *   and to the "serving on" line, printed after the server's warm-up requests (`readyMs`). RSS
 *   from /proc/PID/status (VmRSS) once ready. A /health that answers 503 (degraded) after the
 *   "serving on" line is reported with its reason instead of waited on.
 * - search over HTTP: autocannon POST /api/search with seeded questions, 1 and 32 connections.
 * - chat: streamed extractive chats (no LLM), time to the first `delta` event.
 * - in process (scripts/bench-inprocess.ts): lexical search p50/p99 through HybridRetriever as the
 *   server builds it; with fake dense vectors the hybrid p50/p99, the vector store's query p50 and a
 *   brute-force dot-product floor over a Float32Array of the same vectors, side by side.
 * - vectra's LocalDocumentIndex with isBm25 (its own hybrid) on the same papers and fake vectors.
 *
 * Every phase is timed on its own; one that fails is recorded as an error string and the run goes
 * on; the exit code is 1 when any phase failed. Servers listen on 127.0.0.1 on free ports and are
 * stopped at the end (also on Ctrl-C); index folders live in a temporary folder that is removed.
 * The bench client (autocannon, the chat reader) shares the machine's cores with the server.
 */
//
// The modules, one job each (scripts/bench/): options.mjs (the command line), processes.mjs
// (child processes and clean-up), server.mjs (the server under measurement), corpora.mjs
// (corpora and questions), child-phases.mjs (ingest, in-process runs), http-load.mjs (search and
// chat load), workers.mjs (wrangler dev), size.mjs and vectra.mjs (what is measured), run.mjs
// (the results record and the order of phases), report.mjs (the Markdown table).
import { formatReport } from './bench/report.mjs';
import { parseOptions } from './bench/options.mjs';
import { runBenchmark } from './bench/run.mjs';

const options = parseOptions();
const { results, interrupted } = await runBenchmark(options);
console.log(formatReport(results, options.out));
process.exit(results.errors.length ? 1 : interrupted ? 130 : 0);
