/**
 * `/docs`: the OpenAPI document rendered as one self-contained HTML page on the server. No script
 * and nothing fetched (no CDN is reachable where this runs, and the CSP allows none), so it needs
 * no viewer bundle such as Swagger UI or Redoc (over a megabyte, and they want scripts). Schemas
 * are shown as the document has them, with `$ref`s linked to the components.
 */

interface Doc {
  info: { title: string; version: string; description?: string };
  tags?: { name: string; description?: string }[];
  paths?: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, unknown> };
}
interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: { name: string; in: string; required?: boolean; description?: string; schema?: unknown }[];
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

const escape = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** Inline markdown of descriptions: `code` only. */
const prose = (s: string | undefined) => (s ? escape(s).replace(/`([^`]+)`/g, '<code>$1</code>') : '');

const anchor = (s: string) => s.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '');

/** A schema as indented JSON, its `$ref`s linked to the components below. */
function schemaHtml(schema: unknown): string {
  return escape(JSON.stringify(schema, null, 2)).replace(/&#34;#\/components\/schemas\/([A-Za-z0-9_.-]+)&#34;/g, (_, name: string) => `<a href="#schema-${anchor(name)}">"#/components/schemas/${name}"</a>`);
}

const contentHtml = (content: Record<string, { schema?: unknown }> | undefined) =>
  Object.entries(content ?? {})
    .map(([media, { schema }]) => `<details><summary><code>${escape(media)}</code></summary><pre>${schemaHtml(schema ?? {})}</pre></details>`)
    .join('');

function operationHtml(method: string, path: string, o: Operation): string {
  const params = o.parameters?.length
    ? `<h4>Parameters</h4><table><tr><th>name</th><th>in</th><th>required</th><th>schema</th><th>description</th></tr>${o.parameters
        .map((p) => `<tr><td><code>${escape(p.name)}</code></td><td>${escape(p.in)}</td><td>${p.required ? 'yes' : 'no'}</td><td><code>${escape(JSON.stringify(p.schema ?? {}))}</code></td><td>${prose(p.description)}</td></tr>`)
        .join('')}</table>`
    : '';
  const body = o.requestBody ? `<h4>Request body</h4>${contentHtml(o.requestBody.content)}` : '';
  const responses = Object.entries(o.responses ?? {})
    .map(([code, r]) => `<li><strong>${escape(code)}</strong> ${prose(r.description)}${contentHtml(r.content)}</li>`)
    .join('');
  return `<section id="${anchor(`${method}-${path}`)}"><h3><span class="method">${method.toUpperCase()}</span> <code>${escape(path)}</code> — ${prose(o.summary)}</h3><p>${prose(o.description)}</p>${params}${body}<h4>Responses</h4><ul>${responses}</ul></section>`;
}

/** The page for an OpenAPI document. */
export function docsPage(doc: Doc): string {
  const ops = Object.entries(doc.paths ?? {}).flatMap(([path, item]) => METHODS.filter((m) => item[m]).map((m) => ({ method: m, path, op: item[m]! })));
  const tags = doc.tags ?? [];
  const sections = tags
    .map((t) => {
      const mine = ops.filter((o) => o.op.tags?.includes(t.name));
      return mine.length ? `<h2 id="tag-${anchor(t.name)}">${escape(t.name)}</h2><p>${prose(t.description)}</p>${mine.map((o) => operationHtml(o.method, o.path, o.op)).join('')}` : '';
    })
    .join('');
  const index = ops.map((o) => `<li><a href="#${anchor(`${o.method}-${o.path}`)}"><span class="method">${o.method.toUpperCase()}</span> <code>${escape(o.path)}</code></a> ${prose(o.op.summary)}</li>`).join('');
  const schemas = Object.entries(doc.components?.schemas ?? {})
    .map(([name, s]) => `<section id="schema-${anchor(name)}"><h3><code>${escape(name)}</code></h3><pre>${schemaHtml(s)}</pre></section>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(doc.info.title)} API</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:64rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}pre{background:#f6f6f6;padding:.75rem;overflow:auto;font-size:.85em}code{font-size:.9em}.method{font:bold .8em monospace;background:#1a1a1a;color:#fff;padding:.1em .4em;border-radius:3px}section{border-top:1px solid #ddd;margin-top:1.5rem}table{border-collapse:collapse}td,th{border-bottom:1px solid #eee;padding:.2rem .6rem;text-align:left;vertical-align:top}details{margin:.25rem 0}a{color:#0645ad}</style></head>
<body><h1>${escape(doc.info.title)} API <small>${escape(doc.info.version)}</small></h1><p>${prose(doc.info.description)}</p>
<p>The machine-readable document: <a href="/openapi.json"><code>/openapi.json</code></a> (OpenAPI 3.1).</p>
<ul>${index}</ul>${sections}<h2 id="schemas">Schemas</h2>${schemas}</body></html>`;
}
