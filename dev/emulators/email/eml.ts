// Writes accepted messages as RFC 5322 / MIME .eml text and reads them back (for tests and local tooling).
import { randomBytes } from 'node:crypto';
import type { EmailAddress, EmailMessage } from './message.js';
import { encodeQuotedPrintable, rfc5322Date, RESERVED_HEADERS } from '../../../src/views/eml.js';

const CRLF = '\r\n';

// --- writing ---------------------------------------------------------------

/** A header value can never carry a line break: that would let a request inject headers or a body. */
function oneLine(value: string): string {
  return value.replace(/[\r\n]+/g, ' ');
}

function isPrintableAscii(value: string): boolean {
  return /^[\x20-\x7e]*$/.test(value);
}

/**
 * RFC 2047 B-encoded words, each at most 75 characters, split on character boundaries so
 * no UTF-8 sequence is cut in half; joined by folding whitespace, which decoders drop.
 */
export function encodeWords(value: string): string {
  const words: string[] = [];
  let chunk = '';
  for (const char of value) {
    // 45 bytes is 60 base64 characters: with `=?UTF-8?B?` and `?=` that is 72, under the 75 limit.
    if (Buffer.byteLength(chunk + char, 'utf8') > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += char;
  }
  if (chunk) words.push(chunk);
  return words
    .map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`)
    .join(`${CRLF} `);
}

/** Unstructured text (Subject, custom headers): encoded-words only when it is not plain ASCII. */
function unstructured(value: string): string {
  const text = oneLine(value);
  return isPrintableAscii(text) ? text : encodeWords(text);
}

function mailbox({ address, displayName }: EmailAddress): string {
  const addr = oneLine(address);
  if (!displayName) return addr;
  const name = oneLine(displayName);
  if (!isPrintableAscii(name)) return `${encodeWords(name)} <${addr}>`;
  // A phrase with specials must be a quoted-string (RFC 5322 §3.2.4).
  if (/^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ ]+$/.test(name)) return `${name} <${addr}>`;
  return `"${name.replace(/["\\]/g, '\\$&')}" <${addr}>`;
}

function addressList(list: readonly EmailAddress[]): string {
  return list.map(mailbox).join(`,${CRLF} `);
}

/** RFC 5322 date-time in UTC, e.g. `Wed, 26 Nov 2025 11:02:00 +0000`. */
// The same encoders the product's own .eml writer uses (the preview command), so both stay in step.
export { encodeQuotedPrintable, rfc5322Date };

function base64Lines(base64: string): string {
  return (base64.match(/.{1,76}/g) ?? ['']).join(CRLF);
}

function textPart(subtype: 'plain' | 'html', body: string): string {
  return [
    `Content-Type: text/${subtype}; charset=UTF-8`,
    'Content-Transfer-Encoding: quoted-printable',
    '',
    encodeQuotedPrintable(body),
  ].join(CRLF);
}

function multipart(
  subtype: 'alternative' | 'mixed',
  parts: readonly string[],
): { contentType: string; body: string } {
  // `=_` cannot occur in quoted-printable or base64 output, so the boundary never collides with content.
  const boundary = `=_${subtype}_${randomBytes(12).toString('hex')}`;
  const body = [
    'This is a multi-part message in MIME format.',
    ...parts.map((part) => `--${boundary}${CRLF}${part}`),
    `--${boundary}--`,
    '',
  ].join(CRLF);
  return { contentType: `multipart/${subtype}; boundary="${boundary}"`, body };
}

function quotedParameter(value: string): string {
  return isPrintableAscii(value)
    ? `"${value.replace(/["\\]/g, '\\$&')}"`
    : `"${encodeWords(value)}"`;
}

export interface EmlInput {
  message: EmailMessage;
  operationId: string;
  acceptedAt: Date;
}

/** The .eml text of an accepted message: multipart/alternative (inside multipart/mixed when there are attachments), CRLF line ends. */
export function formatEml({ message, operationId, acceptedAt }: EmlInput): string {
  const { content, recipients } = message;
  const alternatives: string[] = [];
  if (content.plainText !== undefined) alternatives.push(textPart('plain', content.plainText));
  if (content.html !== undefined) alternatives.push(textPart('html', content.html));
  let root = multipart('alternative', alternatives);

  if (message.attachments.length > 0) {
    const attachmentParts = message.attachments.map((a) => {
      const disposition = a.contentId ? 'inline' : 'attachment';
      return [
        `Content-Type: ${oneLine(a.contentType)}; name=${quotedParameter(a.name)}`,
        `Content-Disposition: ${disposition}; filename=${quotedParameter(a.name)}`,
        ...(a.contentId ? [`Content-ID: <${oneLine(a.contentId)}>`] : []),
        'Content-Transfer-Encoding: base64',
        '',
        base64Lines(a.contentInBase64),
      ].join(CRLF);
    });
    root = multipart('mixed', [
      `Content-Type: ${root.contentType}${CRLF}${CRLF}${root.body}`,
      ...attachmentParts,
    ]);
  }

  const messageIdLocal = operationId.replace(/[^A-Za-z0-9._-]/g, '_');
  const headers: string[] = [`From: ${oneLine(message.senderAddress)}`];
  if (message.replyTo.length > 0) headers.push(`Reply-To: ${addressList(message.replyTo)}`);
  if (recipients.to.length > 0) headers.push(`To: ${addressList(recipients.to)}`);
  if (recipients.cc.length > 0) headers.push(`Cc: ${addressList(recipients.cc)}`);
  // The outbox is the sender's copy, like a Sent folder, which keeps Bcc (RFC 5322 §3.6.3 allows it).
  if (recipients.bcc.length > 0) headers.push(`Bcc: ${addressList(recipients.bcc)}`);
  headers.push(
    `Subject: ${unstructured(content.subject)}`,
    `Date: ${rfc5322Date(acceptedAt)}`,
    `Message-ID: <${messageIdLocal}@email-emulator.local>`,
  );
  for (const [name, value] of Object.entries(message.headers)) {
    if (!RESERVED_HEADERS.has(name.toLowerCase())) headers.push(`${name}: ${unstructured(value)}`);
  }
  headers.push('MIME-Version: 1.0', `Content-Type: ${root.contentType}`);
  return `${headers.join(CRLF)}${CRLF}${CRLF}${root.body}`;
}

// --- reading ---------------------------------------------------------------

export interface ParsedPart {
  headers: Record<string, string>;
  contentType: string;
  /** Decoded bytes of a leaf part (empty for a multipart container). */
  content: Buffer;
  parts: ParsedPart[];
}

export interface ParsedEml {
  /** Lower-cased names, unfolded, encoded-words decoded. */
  headers: Record<string, string>;
  subject: string;
  from: string;
  /** Bare addresses of To, Cc and Bcc. */
  to: string[];
  cc: string[];
  bcc: string[];
  text?: string;
  html?: string;
  attachments: { filename: string; contentType: string; content: Buffer }[];
  root: ParsedPart;
}

/** Decodes RFC 2047 encoded-words (B and Q), dropping the whitespace between adjacent words. */
export function decodeWords(value: string): string {
  return value
    .replace(/(\?=)\s+(?==\?)/g, '$1')
    .replace(
      /=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g,
      (_match, _charset: string, encoding: string, text: string) => {
        // Only UTF-8 and ASCII are expected here: both decode correctly as UTF-8.
        if (encoding.toUpperCase() === 'B') return Buffer.from(text, 'base64').toString('utf8');
        return decodeQuotedPrintable(text.replace(/_/g, ' ')).toString('utf8');
      },
    );
}

export function decodeQuotedPrintable(text: string): Buffer {
  const unwrapped = text.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < unwrapped.length; i++) {
    const char = unwrapped[i] as string;
    const hex = unwrapped.slice(i + 1, i + 3);
    if (char === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(char, 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

function splitHead(text: string): { head: string; body: string } {
  const match = /\r?\n\r?\n/.exec(text);
  if (!match) return { head: text, body: '' };
  return { head: text.slice(0, match.index), body: text.slice(match.index + match[0].length) };
}

function parseHeaders(head: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers[line.slice(0, colon).trim().toLowerCase()] = decodeWords(line.slice(colon + 1).trim());
  }
  return headers;
}

function parameter(headerValue: string, name: string): string | undefined {
  const match = new RegExp(
    `;\\s*${name}="((?:[^"\\\\]|\\\\.)*)"|;\\s*${name}=([^;\\s]+)`,
    'i',
  ).exec(headerValue);
  const raw = match?.[1] ?? match?.[2];
  return raw === undefined ? undefined : decodeWords(raw.replace(/\\(.)/g, '$1'));
}

function parsePart(text: string): ParsedPart {
  const { head, body } = splitHead(text);
  const headers = parseHeaders(head);
  const contentTypeHeader = headers['content-type'] ?? 'text/plain; charset=us-ascii';
  const contentType = (contentTypeHeader.split(';')[0] ?? '').trim().toLowerCase();
  const boundary = parameter(contentTypeHeader, 'boundary');
  if (contentType.startsWith('multipart/') && boundary) {
    const sections = body.split(`--${boundary}`);
    // Drop the preamble and everything after the closing delimiter.
    const parts = sections
      .slice(1)
      .filter((s) => !s.startsWith('--'))
      .map((s) => parsePart(s.replace(/^\r?\n/, '').replace(/\r?\n$/, '')));
    return { headers, contentType, content: Buffer.alloc(0), parts };
  }
  const encoding = (headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  const content =
    encoding === 'base64'
      ? Buffer.from(body.replace(/\s+/g, ''), 'base64')
      : encoding === 'quoted-printable'
        ? decodeQuotedPrintable(body)
        : Buffer.from(body, 'utf8');
  return { headers, contentType, content, parts: [] };
}

function leaves(part: ParsedPart): ParsedPart[] {
  return part.parts.length === 0 ? [part] : part.parts.flatMap(leaves);
}

function addresses(value: string | undefined): string[] {
  if (!value) return [];
  return [...value.matchAll(/<([^>]+)>|([^\s,<>"]+@[^\s,<>"]+)/g)].map((m) =>
    (m[1] ?? m[2] ?? '').trim(),
  );
}

/** Parses .eml text written by formatEml (or any simple MIME message) into headers, text, html and attachments. */
export function parseEml(text: string): ParsedEml {
  const root = parsePart(text);
  const all = leaves(root);
  const disposition = (p: ParsedPart): string =>
    (p.headers['content-disposition'] ?? '').toLowerCase();
  const isBody = (p: ParsedPart, type: string): boolean =>
    p.contentType === type && !disposition(p).startsWith('attachment');
  const textPart = all.find((p) => isBody(p, 'text/plain'));
  const htmlPart = all.find((p) => isBody(p, 'text/html'));
  return {
    headers: root.headers,
    subject: root.headers['subject'] ?? '',
    from: root.headers['from'] ?? '',
    to: addresses(root.headers['to']),
    cc: addresses(root.headers['cc']),
    bcc: addresses(root.headers['bcc']),
    ...(textPart ? { text: textPart.content.toString('utf8') } : {}),
    ...(htmlPart ? { html: htmlPart.content.toString('utf8') } : {}),
    attachments: all
      .filter(
        (p) => p !== textPart && p !== htmlPart && p.parts.length === 0 && disposition(p) !== '',
      )
      .map((p) => ({
        filename: parameter(`;${p.headers['content-disposition'] ?? ''}`, 'filename') ?? '',
        contentType: p.contentType,
        content: p.content,
      })),
    root,
  };
}
