// Query-string validation for the HTTP API: a schema per route, unknown or malformed parameters get a 400 naming them.
import { z } from 'zod';
import { problem, type HttpResponseInit } from './http.js';

export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The function key, when it is not sent as the x-functions-key header: the Functions host reads it from `?code=`
 * and leaves it in the query string (https://learn.microsoft.com/azure/azure-functions/function-keys-how-to).
 * Every route accepts it and no handler reads it.
 */
export const FUNCTION_KEY_PARAMETER = 'code';

export type Parsed<T> =
  | { ok: true; value: T }
  | {
      ok: false;
      response: HttpResponseInit;
      /** What was wrong, naming the parameter. */ message: string;
    };

/** Parses the query string: each parameter at most once, none unknown (but `code`, the function key), each valid by the schema. */
export function parseQuery<T extends z.ZodRawShape>(
  query: URLSearchParams,
  shape: T,
): Parsed<z.infer<z.ZodObject<T>>> {
  const values: Record<string, string> = {};
  for (const [name, value] of query) {
    if (name === FUNCTION_KEY_PARAMETER) continue;
    if (!(name in shape)) {
      const message = `unknown query parameter "${name}"; allowed: ${Object.keys(shape).join(', ')}`;
      return { ok: false, response: problem(400, 'UnknownParameter', message), message };
    }
    if (name in values) {
      const message = `query parameter "${name}" is given more than once`;
      return { ok: false, response: problem(400, 'InvalidParameter', message), message };
    }
    values[name] = value;
  }
  const parsed = z.object(shape).safeParse(values);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? 'query');
    const message = `${name}: ${issue?.message ?? 'invalid'}`;
    return { ok: false, response: problem(400, 'InvalidParameter', message), message };
  }
  return { ok: true, value: parsed.data };
}
