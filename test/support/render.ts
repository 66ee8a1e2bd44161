// A plain renderer for digest tests that check delivery, not presentation.
import type { Digest } from '../../src/core/digest.js';

export function renderForTests(digest: Digest): { subject: string; html: string; text: string } {
  const lines = digest.items.map((i) => `${i.kind} ${i.ruleId} ${i.resourceName} (${i.reason})`);
  return {
    subject: `${digest.items.length} changes`,
    html: `<p>${lines.length} changes</p>`,
    text: lines.join('\n'),
  };
}
