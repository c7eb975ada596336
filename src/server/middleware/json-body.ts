import type { MiddlewareHandler } from 'hono';
import type { z } from 'zod';
import { ApiError, describeZodError } from '../errors.js';

/**
 * Parses and validates a JSON request body with a zod schema; the parsed value is read with
 * `c.get('body')`. Bad JSON, a wrong content type and schema violations are 400s naming the field.
 *
 * @example
 * app.post('/api/search', jsonBody(SearchRequestSchema), (c) => c.json(c.get('body')))
 */
export function jsonBody<S extends z.ZodType>(schema: S): MiddlewareHandler<{ Variables: { body: z.output<S> } }> {
  return async (c, next) => {
    const type = c.req.header('content-type') ?? '';
    // The media type itself (before any parameters) must be JSON: application/json or a +json suffix.
    const media = type.split(';')[0]!.trim();
    if (!/^application\/(json|[\w.-]+\+json)$/i.test(media)) {
      throw new ApiError(415, 'unsupported_media_type', 'Send the request body as JSON with the header Content-Type: application/json.');
    }
    let raw: unknown;
    try {
      raw = await c.req.json();
    } catch {
      throw new ApiError(400, 'invalid_json', 'The request body is not valid JSON.');
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) throw new ApiError(400, 'invalid_request', describeZodError(parsed.error));
    c.set('body', parsed.data);
    await next();
  };
}
