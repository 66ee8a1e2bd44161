// The .eml writer's MIME details: line lengths, encoded-words, quoted-printable, header injection, attachments.
import { describe, expect, it } from 'vitest';
import {
  decodeQuotedPrintable,
  decodeWords,
  encodeQuotedPrintable,
  encodeWords,
  formatEml,
  parseEml,
} from '../../../dev/emulators/email/eml.js';
import { validateEmailMessage, type EmailMessage } from '../../../dev/emulators/email/message.js';

function message(overrides: Partial<EmailMessage> = {}): EmailMessage {
  return {
    senderAddress: 'DoNotReply@readiness.example',
    content: { subject: 'Digest', plainText: 'text', html: '<p>html</p>' },
    recipients: { to: [{ address: 'owner@contoso.example' }], cc: [], bcc: [] },
    replyTo: [],
    headers: {},
    attachments: [],
    ...overrides,
  };
}

const at = new Date('2026-03-01T08:09:10.123Z');

describe('eml writer', () => {
  it('keeps quoted-printable lines within 76 characters and round-trips UTF-8, "=" and trailing spaces', () => {
    const text = `${'ü=€ '.repeat(40)}\nline with trailing space \n\ttab`;
    const encoded = encodeQuotedPrintable(text);

    expect(encoded.split('\r\n').every((line) => line.length <= 76)).toBe(true);
    expect(encoded).toContain('=3D');
    expect(encoded).toMatch(/space=20\r\n/);
    expect(decodeQuotedPrintable(encoded).toString('utf8')).toBe(text.replace(/\n/g, '\r\n'));
  });

  it('splits a long non-ASCII subject into encoded-words of at most 75 characters without cutting a character', () => {
    const subject = 'Ressourcen für Größenänderung — 🚀 '.repeat(6);
    const encoded = encodeWords(subject);
    const words = encoded.split('\r\n ');

    expect(words.length).toBeGreaterThan(1);
    expect(words.every((w) => /^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=$/.test(w) && w.length <= 75)).toBe(
      true,
    );
    expect(
      words.every(
        (w) => !Buffer.from(w.slice(10, -2), 'base64').toString('utf8').includes('\uFFFD'),
      ),
    ).toBe(true);
    expect(decodeWords(encoded)).toBe(subject);
  });

  it('cannot be made to inject headers through the subject, a display name or a custom header', () => {
    const eml = formatEml({
      message: message({
        content: { subject: 'Hi\r\nBcc: victim@evil.example', plainText: 'x' },
        recipients: {
          to: [{ address: 'owner@contoso.example', displayName: 'O\nX-Evil: 1' }],
          cc: [],
          bcc: [],
        },
        headers: { 'X-Ticket': 'a\r\n\r\nbody', 'Content-Type': 'text/evil' },
      }),
      operationId: 'op',
      acceptedAt: at,
    });
    const head = eml.slice(0, eml.indexOf('\r\n\r\n'));

    expect(head).not.toMatch(/^Bcc:/m);
    expect(head).not.toMatch(/^X-Evil:/m);
    expect(head).toContain('X-Ticket: a body');
    expect(head.match(/^Content-Type:/gm)).toHaveLength(1);
    expect(head).not.toContain('text/evil');
  });

  it('writes the RFC 5322 date, a Message-ID from the operation id, and only the parts given', () => {
    const eml = formatEml({
      message: message({ content: { subject: 'Only text', plainText: 'just text' } }),
      operationId: 'abc-123',
      acceptedAt: at,
    });
    const parsed = parseEml(eml);

    expect(parsed.headers['date']).toBe('Sun, 01 Mar 2026 08:09:10 +0000');
    expect(parsed.headers['message-id']).toBe('<abc-123@email-emulator.local>');
    expect(parsed.root.contentType).toBe('multipart/alternative');
    expect(parsed.text).toBe('just text');
    expect(parsed.html).toBeUndefined();
  });

  it('wraps the alternatives in multipart/mixed with base64 attachments when there are any', () => {
    const pdf = Buffer.from('%PDF-1.7 fake');
    const eml = formatEml({
      message: message({
        attachments: [
          {
            name: 'findings.pdf',
            contentType: 'application/pdf',
            contentInBase64: pdf.toString('base64'),
          },
          {
            name: 'logo.png',
            contentType: 'image/png',
            contentInBase64: 'iVBORw0KGgo=',
            contentId: 'logo',
          },
        ],
      }),
      operationId: 'op',
      acceptedAt: at,
    });
    const parsed = parseEml(eml);

    expect(parsed.root.contentType).toBe('multipart/mixed');
    expect(parsed.text).toBe('text');
    expect(parsed.html).toBe('<p>html</p>');
    expect(parsed.attachments.map((a) => [a.filename, a.contentType])).toEqual([
      ['findings.pdf', 'application/pdf'],
      ['logo.png', 'image/png'],
    ]);
    expect(parsed.attachments[0]?.content.equals(pdf)).toBe(true);
    expect(eml).toContain('Content-ID: <logo>');
  });
});

describe('send body validation', () => {
  const valid = {
    senderAddress: 'a@b.example',
    content: { subject: 's', plainText: 't' },
    recipients: { to: [{ address: 'c@d.example' }] },
  };

  it.each([
    [{ ...valid, senderAddress: 'not-an-address' }, 'senderAddress'],
    [{ ...valid, content: { subject: 's' } }, 'content'],
    [{ ...valid, content: { plainText: 't' } }, 'content.subject'],
    [{ ...valid, recipients: {} }, 'recipients.to'],
    [{ ...valid, recipients: { to: [] } }, 'recipients'],
    [{ ...valid, recipients: { to: [{ displayName: 'x' }] } }, 'recipients.to[0].address'],
    [{ ...valid, headers: { 'Bad Name': 'x' } }, 'headers.Bad Name'],
    [
      { ...valid, attachments: [{ name: 'a', contentType: 'text/plain', contentInBase64: '***' }] },
      'attachments[0].contentInBase64',
    ],
  ])('rejects %j naming %s', (body, target) => {
    const result = validateEmailMessage(body);
    expect(result).toMatchObject({ ok: false, target });
    expect(result.ok ? '' : result.message).toContain(target);
  });

  it('accepts the minimal message and normalises absent lists to empty ones', () => {
    const result = validateEmailMessage(valid);
    expect(result).toMatchObject({
      ok: true,
      message: { recipients: { cc: [], bcc: [] }, replyTo: [], attachments: [], headers: {} },
    });
  });
});
