// What the CLI reads: files and URLs, bounded in size and time, named in every error, never quoted back.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { InputError } from '../app/scan-export.js';
import { redact } from '../core/redact.js';

/** Default cap of one input (a file or a feed URL), in MB: a large tenant's export is tens of MB. */
export const DEFAULT_MAX_INPUT_MB = 256;
/** Default time a feed URL has to answer completely, in seconds. */
export const DEFAULT_FETCH_TIMEOUT_SECONDS = 30;
const MAX_REDIRECTS = 5;
const MB = 1024 * 1024;

export interface InputLimits {
  readonly maxBytes: number;
  readonly timeoutMs: number;
  /** PEM of a CA to trust for https URLs (a local test server). */
  readonly ca?: string | undefined;
}

const tooLarge = (what: string, source: string, limit: number) =>
  new InputError(
    `${what} ${source}: larger than the limit of ${limit / MB} MB (raise it with --max-input-mb)`,
  );

/** Reads a file of at most `maxBytes`, also when it is a device or a pipe that never ends. */
export function readBoundedFile(file: string, what: string, maxBytes: number): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(
      `${what} ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (code ?? 'cannot be opened')}`,
    );
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new InputError(`${what} ${file}: is a directory`);
    if (stat.isFile() && stat.size > maxBytes) throw tooLarge(what, file, maxBytes);
    const chunks: Buffer[] = [];
    let total = 0;
    const buffer = Buffer.alloc(Math.min(MB, maxBytes + 1));
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) break;
      total += n;
      if (total > maxBytes) throw tooLarge(what, file, maxBytes);
      chunks.push(Buffer.from(buffer.subarray(0, n)));
    }
    return Buffer.concat(chunks).toString('utf8');
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(`${what} ${file}: cannot be read (${code ?? 'read error'})`);
  } finally {
    closeSync(fd);
  }
}

/**
 * GETs an https URL: at most `maxBytes`, all of it within `timeoutMs`, redirects followed only to https on the same
 * host. Every message shows the URL with its credentials redacted.
 */
export async function fetchBounded(
  url: string,
  what: string,
  limits: InputLimits,
): Promise<string> {
  const shown = redact(url);
  let current: URL;
  try {
    current = new URL(url);
  } catch {
    throw new InputError(`${what} ${shown}: not a URL`);
  }
  if (current.protocol !== 'https:')
    throw new InputError(`${what} ${shown}: not an https URL (plain http is refused)`);
  const host = current.host;
  const deadline = Date.now() + limits.timeoutMs;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const answer = await getOnce(current, limits, deadline, what, shown);
    if (answer.kind === 'body') return answer.text;
    let next: URL;
    try {
      next = new URL(answer.location, current);
    } catch {
      throw new InputError(`${what} ${shown}: redirected to something that is not a URL`);
    }
    if (next.protocol !== 'https:' || next.host !== host)
      throw new InputError(
        `${what} ${shown}: redirected to another host or scheme (${next.protocol}//${next.host}); refused`,
      );
    current = next;
  }
  throw new InputError(`${what} ${shown}: more than ${MAX_REDIRECTS} redirects`);
}

function getOnce(
  url: URL,
  limits: InputLimits,
  deadline: number,
  what: string,
  shown: string,
): Promise<{ kind: 'body'; text: string } | { kind: 'redirect'; location: string }> {
  return new Promise((resolve, reject) => {
    const remaining = Math.max(1, deadline - Date.now());
    const fail = (message: string) => reject(new InputError(`${what} ${shown}: ${message}`));
    const req = httpsRequest(
      url,
      {
        method: 'GET',
        headers: { Accept: 'application/json' },
        ...(limits.ca ? { ca: limits.ca } : {}),
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400 && res.headers.location) {
          res.resume();
          resolve({ kind: 'redirect', location: res.headers.location });
          return;
        }
        if (status < 200 || status >= 300) {
          res.resume();
          fail(`HTTP ${status}`);
          return;
        }
        const declared = Number(res.headers['content-length'] ?? 0);
        if (declared > limits.maxBytes) {
          req.destroy();
          reject(tooLarge(what, shown, limits.maxBytes));
          return;
        }
        const chunks: Buffer[] = [];
        let total = 0;
        res.on('data', (chunk: Buffer) => {
          total += chunk.length;
          if (total > limits.maxBytes) {
            req.destroy();
            reject(tooLarge(what, shown, limits.maxBytes));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () =>
          resolve({ kind: 'body', text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', () => fail('the connection broke'));
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      fail(`no complete answer within ${Math.round(limits.timeoutMs / 1000)} s (--fetch-timeout)`);
    }, remaining);
    req.on('close', () => clearTimeout(timer));
    req.on('error', (error: NodeJS.ErrnoException) => fail(error.code ?? 'request failed'));
    req.end();
  });
}
