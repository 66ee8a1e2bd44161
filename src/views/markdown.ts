// A small Markdown renderer for the rule docs (headings, paragraphs, lists, links, code, bold), escaping everything else.
import { escapeHtml, safeHref } from './html.js';

function inline(text: string): string {
  let out = '';
  const pattern = /`([^`]+)`|\*\*([^*]+)\*\*|\[([^\]]+)\]\(([^)\s]+)\)/g;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    out += escapeHtml(text.slice(last, match.index));
    if (match[1] !== undefined) out += `<code>${escapeHtml(match[1])}</code>`;
    else if (match[2] !== undefined) out += `<strong>${escapeHtml(match[2])}</strong>`;
    else out += `<a href="${safeHref(match[4] ?? '#')}">${escapeHtml(match[3])}</a>`;
    last = (match.index ?? 0) + match[0].length;
  }
  return out + escapeHtml(text.slice(last));
}

export function markdownToHtml(markdown: string): string {
  const blocks: string[] = [];
  let paragraph: string[] = [];
  let list: string[] = [];
  const flush = () => {
    if (paragraph.length) blocks.push(`<p>${inline(paragraph.join(' '))}</p>`);
    if (list.length)
      blocks.push(`<ul>${list.map((item) => `<li>${inline(item)}</li>`).join('')}</ul>`);
    paragraph = [];
    list = [];
  };
  for (const line of markdown.split(/\r?\n/)) {
    const heading = /^(#{1,4})\s+(.*)$/.exec(line);
    const item = /^\s*[-*]\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      const level = (heading[1] as string).length;
      blocks.push(`<h${level}>${inline(heading[2] as string)}</h${level}>`);
    } else if (item) {
      if (paragraph.length) flush();
      list.push(item[1] as string);
    } else if (line.trim() === '') {
      flush();
    } else if (list.length && /^\s+/.test(line)) {
      list[list.length - 1] += ` ${line.trim()}`;
    } else {
      if (list.length) flush();
      paragraph.push(line.trim());
    }
  }
  flush();
  return blocks.join('\n');
}
