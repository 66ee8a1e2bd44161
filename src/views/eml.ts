// A message as RFC 5322 / MIME text (.eml): multipart/alternative with a text/plain then a text/html part,
// UTF-8, quoted-printable bodies, CRLF line ends. Header values can never carry a line break (no injection).
import { createHash } from 'node:crypto';

export interface EmlMessage {
  /** One mailbox each: `a@b.example` or `Name <a@b.example>`; anything else throws. */
  readonly from: string;
  readonly to: readonly string[];
  readonly subject: string;
  readonly html: string;
  readonly text: string;
  readonly date: Date;
  /** `local@domain` (angle brackets optional); characters not allowed in a msg-id are replaced. */
  readonly messageId: string;
  /** Extra headers (`Auto-Submitted`, `X-...`). Invalid names and the headers written here are dropped. */
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

const CRLF = '\r\n';
const MAX_LINE = 78;

/** Headers an .eml writer sets itself: a custom header of the same name is dropped. */
export const RESERVED_HEADERS: ReadonlySet<string> = new Set([
  'from',
  'sender',
  'to',
  'cc',
  'bcc',
  'reply-to',
  'subject',
  'date',
  'message-id',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
]);

/** RFC 5322 field name: printable ASCII but the colon. */
const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]+$/;

/** One line: CR/LF (and every other control character) become a space; runs collapse. */
export function headerSafe(value: string): string {
  return value
    .replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
}

function isPrintableAscii(value: string): boolean {
  return /^[\x20-\x7e]*$/.test(value);
}

/** RFC 2047 B-encoded words of at most 75 characters, never splitting a UTF-8 sequence. */
export function encodeWords(value: string): string[] {
  const words: string[] = [];
  let chunk = '';
  for (const char of value) {
    // 45 bytes → 60 base64 characters; with `=?UTF-8?B?` and `?=` that is 72.
    if (chunk && Buffer.byteLength(chunk + char, 'utf8') > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += char;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`);
}

/** Folds `Name: value` before spaces so lines stay near 78 characters (RFC 5322 §2.2.3). */
function fold(name: string, value: string): string {
  const words = value.split(' ');
  const lines: string[] = [];
  let line = `${name}:`;
  for (const word of words) {
    if (line.length + 1 + word.length > MAX_LINE && line.length > name.length + 1) {
      lines.push(line);
      line = ` ${word}`;
    } else {
      line = `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines.join(CRLF);
}

/** Unstructured text (Subject, custom headers): encoded-words when it is not printable ASCII. */
function unstructured(name: string, value: string): string {
  const text = headerSafe(value);
  if (isPrintableAscii(text)) return fold(name, text);
  // Folding whitespace between adjacent encoded-words is dropped by decoders.
  return `${name}: ${encodeWords(text).join(`${CRLF} `)}`;
}

/** RFC 5322 date-time in UTC: `Thu, 26 Nov 2026 00:00:00 +0000`. */
export function rfc5322Date(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

const ADDR_SPEC = /^[^\s@<>,;:"()[\]\\]+@[^\s@<>,;:"()[\]\\]+$/;

/**
 * One mailbox: `a@b.example` or `Display Name <a@b.example>` (the name re-quoted).
 * Anything else (a list, a line break, stray brackets) throws: it is a caller's bug, not something to guess at.
 */
export function mailbox(value: string): string {
  const text = value.trim();
  if (ADDR_SPEC.test(text)) return text;
  const named = /^(.*?)\s*<([^<>]+)>$/.exec(text);
  const given = named?.[1] ?? '';
  // A quoted display name is unquoted first (and re-quoted below).
  const name = /^"(.*)"$/.test(given) ? given.slice(1, -1).replace(/\\(.)/g, '$1') : given;
  const address = named?.[2] ?? '';
  if (named && ADDR_SPEC.test(address) && !/[\u0000-\u001f\u007f]/.test(name)) {
    if (!name) return `<${address}>`;
    const phrase = isPrintableAscii(name)
      ? `"${name.replace(/["\\]/g, '\\$&')}"`
      : encodeWords(name).join(' ');
    return `${phrase} <${address}>`;
  }
  throw new Error(`not a single e-mail address: ${JSON.stringify(value)}`);
}

function msgId(value: string): string {
  const bare = headerSafe(value)
    .replace(/^<|>$/g, '')
    .replace(/[^A-Za-z0-9!#$%&'*+/=?^_`{|}~.@-]/g, '_');
  const [local = '', ...rest] = bare.split('@');
  const domain = rest.join('_');
  return `<${local || 'message'}@${domain || 'localhost'}>`;
}

/** Quoted-printable (RFC 2045 §6.7) of UTF-8 text: CRLF line breaks, lines of at most 76 characters. */
export function encodeQuotedPrintable(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => {
      const bytes = Buffer.from(line, 'utf8');
      const tokens: string[] = [];
      bytes.forEach((byte, i) => {
        const last = i === bytes.length - 1;
        const literal =
          (byte >= 33 && byte <= 126 && byte !== 61) || ((byte === 32 || byte === 9) && !last);
        // A leading "." or "From " is encoded too, so no transport can mangle the line.
        const guarded = i === 0 && (byte === 46 || (byte === 70 && line.startsWith('From ')));
        tokens.push(
          literal && !guarded
            ? String.fromCharCode(byte)
            : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`,
        );
      });
      const out: string[] = [];
      let current = '';
      for (const token of tokens) {
        // 75 plus the soft-break `=` is the 76-character limit; an =XX triplet is never split.
        if (current.length + token.length > 75) {
          out.push(`${current}=`);
          current = '';
        }
        current += token;
      }
      out.push(current);
      return out.join(CRLF);
    })
    .join(CRLF);
}

function part(subtype: 'plain' | 'html', body: string): string {
  return [
    `Content-Type: text/${subtype}; charset=UTF-8`,
    'Content-Transfer-Encoding: quoted-printable',
    '',
    encodeQuotedPrintable(body),
  ].join(CRLF);
}

/** The .eml text of a message. Deterministic: the same message gives the same bytes. */
export function toEml(message: EmlMessage): string {
  const textPart = part('plain', message.text);
  const htmlPart = part('html', message.html);
  // `=_` never occurs in quoted-printable output, so the boundary cannot collide with content.
  const boundary = `=_alt_${createHash('sha256')
    .update(`${message.messageId}\n${textPart}\n${htmlPart}`)
    .digest('hex')
    .slice(0, 24)}`;
  const to = message.to.map(mailbox);
  const headers = [
    fold('From', mailbox(message.from)),
    ...(to.length > 0 ? [fold('To', to.join(', '))] : []),
    unstructured('Subject', message.subject),
    `Date: ${rfc5322Date(message.date)}`,
    `Message-ID: ${msgId(message.messageId)}`,
  ];
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (!FIELD_NAME.test(name) || RESERVED_HEADERS.has(name.toLowerCase())) continue;
    headers.push(unstructured(name, value));
  }
  headers.push('MIME-Version: 1.0', `Content-Type: multipart/alternative; boundary="${boundary}"`);
  const body = [
    'This is a multi-part message in MIME format.',
    `--${boundary}`,
    textPart,
    `--${boundary}`,
    htmlPart,
    `--${boundary}--`,
    '',
  ].join(CRLF);
  return `${headers.join(CRLF)}${CRLF}${CRLF}${body}`;
}
