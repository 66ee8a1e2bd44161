// Structured logs: one JSON object per line, secrets redacted, so Application Insights and humans can both read them.
import type { Logger } from '../app/ports.js';
import { redact as redactText } from '../core/redact.js';

const SECRET_KEY = /(key|secret|token|password|connectionstring|signature|authorization)/i;
function redact(value: unknown): unknown {
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map(redact);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? '***' : redact(v);
    return out;
  }
  return value;
}

export type LogSink = (line: string) => void;

export function jsonLogger(
  sink: LogSink = (line) => process.stdout.write(`${line}\n`),
  base: Record<string, unknown> = {},
): Logger {
  const write = (level: string, message: string, fields?: Record<string, unknown>) =>
    sink(
      JSON.stringify({
        time: new Date().toISOString(),
        level,
        message: redact(message),
        ...(redact({ ...base, ...fields }) as object),
      }),
    );
  return {
    info: (message, fields) => write('info', message, fields),
    warn: (message, fields) => write('warn', message, fields),
    error: (message, fields) => write('error', message, fields),
  };
}

export const silentLogger: Logger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
