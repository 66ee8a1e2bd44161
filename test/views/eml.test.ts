// The .eml writer: RFC 5322 + MIME multipart/alternative, read back with the e-mail emulator's parser.
import { describe, expect, it } from 'vitest';
import { parseEml } from '../../dev/emulators/email/eml.js';
import { toEml, type EmlMessage } from '../../src/views/eml.js';

const BASE: EmlMessage = {
  from: 'readiness-preview@localhost',
  to: ['alice@contoso.com'],
  subject: '[Azure readiness] 3 new migration blockers',
  text: 'Hello,\nthree blockers.\n.a line starting with a dot\nFrom the start\n',
  html: '<!DOCTYPE html><html><body><p style="color:#1b1b1b">Three = blockers &amp; more</p></body></html>\n',
  date: new Date('2026-11-26T07:30:00Z'),
  messageId: 'digest.2026-11-26.abc@readiness-preview.local',
};

/** The header block, unfolded: one entry per header line. */
function headerLines(eml: string): string[] {
  const head = eml.slice(0, eml.indexOf('\r\n\r\n'));
  return head.replace(/\r\n[ \t]+/g, ' ').split('\r\n');
}

describe('toEml', () => {
  it('round-trips headers and both parts', () => {
    const eml = toEml({ ...BASE, headers: { 'Auto-Submitted': 'auto-generated' } });
    const parsed = parseEml(eml);
    expect(parsed.from).toBe('readiness-preview@localhost');
    expect(parsed.to).toEqual(['alice@contoso.com']);
    expect(parsed.subject).toBe(BASE.subject);
    expect(parsed.headers['date']).toBe('Thu, 26 Nov 2026 07:30:00 +0000');
    expect(parsed.headers['message-id']).toBe('<digest.2026-11-26.abc@readiness-preview.local>');
    expect(parsed.headers['mime-version']).toBe('1.0');
    expect(parsed.headers['auto-submitted']).toBe('auto-generated');
    expect(parsed.root.contentType).toBe('multipart/alternative');
    expect(parsed.root.parts.map((p) => p.contentType)).toEqual(['text/plain', 'text/html']);
    // Line breaks come back as CRLF; the content is otherwise byte for byte the same.
    expect(parsed.text).toBe(BASE.text.replace(/\n/g, '\r\n'));
    expect(parsed.html).toBe(BASE.html.replace(/\n/g, '\r\n'));
    expect(parsed.attachments).toEqual([]);
  });

  it('uses CRLF line ends and lines of at most 78 characters', () => {
    const long = 'x'.repeat(300);
    const eml = toEml({ ...BASE, text: `${long}\n${'é'.repeat(200)}`, html: `<p>${long}</p>` });
    expect(eml).not.toMatch(/[^\r]\n/);
    expect(eml).not.toMatch(/\r(?!\n)/);
    for (const line of eml.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
    expect(parseEml(eml).text).toBe(`${long}\r\n${'é'.repeat(200)}`);
  });

  it('encodes a non-ASCII subject as RFC 2047 words and bodies as UTF-8', () => {
    const subject = '[Azure readiness] Übersicht: 3 neue Blocker — 期限 30 日 ✓'.repeat(2);
    const eml = toEml({ ...BASE, subject, text: 'Grüße 🌍', html: '<p>Grüße 🌍</p>' });
    const head = eml.slice(0, eml.indexOf('\r\n\r\n'));
    expect(head).toMatch(/^Subject: =\?UTF-8\?B\?/m);
    expect(head).toMatch(/^[\x20-\x7e\r\n]*$/);
    const parsed = parseEml(eml);
    expect(parsed.subject).toBe(subject);
    expect(parsed.text).toBe('Grüße 🌍');
    expect(parsed.html).toBe('<p>Grüße 🌍</p>');
    expect(eml).toMatch(/Content-Type: text\/plain; charset=UTF-8/);
  });

  it('cannot be made to inject a header through CR/LF in any header value', () => {
    // Addresses must be single mailboxes: a line break (or a list) in one is refused outright.
    expect(() => toEml({ ...BASE, from: 'a@x.example\r\nBcc: from@evil.example' })).toThrow(
      /not a single e-mail address/,
    );
    expect(() => toEml({ ...BASE, to: ['alice@contoso.com\r\nBcc: to@evil.example'] })).toThrow(
      /not a single e-mail address/,
    );
    expect(() => toEml({ ...BASE, to: ['a@contoso.com, b@contoso.com'] })).toThrow();
    expect(() => toEml({ ...BASE, to: ['Eve <e@x.example>\nX-Evil: 1'] })).toThrow();
    const named = parseEml(toEml({ ...BASE, from: 'Azure "readiness" <r@localhost>' }));
    expect(named.from).toBe('"Azure \\"readiness\\"" <r@localhost>');

    const eml = toEml({
      ...BASE,
      subject: 'Hello\r\nBcc: subject@evil.example\r\n\r\n<html>body</html>',
      messageId: 'id\r\nBcc: id@evil.example',
      headers: {
        'X-Note': 'fine\r\nBcc: custom@evil.example',
        'Bad Name': 'dropped',
        'X-Colon:Name': 'dropped',
        Bcc: 'reserved@evil.example',
        'Content-Type': 'text/plain',
      },
    });
    const lines = headerLines(eml);
    const names = lines.map((l) => l.slice(0, l.indexOf(':')).toLowerCase());
    expect(names).not.toContain('bcc');
    expect(names).not.toContain('x-evil');
    expect(names).not.toContain('bad name');
    expect(names.filter((n) => n === 'content-type')).toHaveLength(1);
    expect(names.filter((n) => n === 'subject')).toHaveLength(1);
    const parsed = parseEml(eml);
    expect(parsed.bcc).toEqual([]);
    expect(parsed.subject).toBe('Hello Bcc: subject@evil.example <html>body</html>');
    expect(parsed.headers['x-note']).toBe('fine Bcc: custom@evil.example');
    // The body is still the two parts, untouched by the hostile subject.
    expect(parsed.text).toBe(BASE.text.replace(/\n/g, '\r\n'));
  });

  it('is deterministic: the same message gives the same bytes', () => {
    expect(toEml(BASE)).toBe(toEml(BASE));
    expect(toEml(BASE)).not.toBe(toEml({ ...BASE, text: 'other' }));
  });
});
