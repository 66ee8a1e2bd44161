// `readiness digest`: the digests a first scan of an export would send, as .eml files, nothing sent.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEml, type ParsedEml } from '../../dev/emulators/email/eml.js';
import {
  DEMO_SUBSCRIPTION,
  demoTenant,
  HOSTILE_MARKUP,
  HOSTILE_SCRIPT,
} from '../../dev/tenants/demo.js';
import { run, tempFiles } from '../support/cli.js';

const { dir, file } = tempFiles('readiness-digest-');

type Row = {
  id: string;
  name: string;
  type: string;
  resourceGroup?: string;
  tags?: Record<string, string>;
};

const tenant = demoTenant();
const demoRows = [...tenant.resources, ...(tenant.authorizationResources ?? [])] as Row[];
const vmAcl = demoRows.find((r) => r.name === 'vm-acl') as Row;
const A = DEMO_SUBSCRIPTION.classicApps;
const hostileId = `/subscriptions/${A}/resourceGroups/rg-hostile/providers/Microsoft.ClassicCompute/virtualMachines/vm-hostile`;

/** Extra rows: owners in other cases than the demo's, a hostile name, group and tag, an address with `&`. */
const extraRows: Row[] = [
  {
    ...structuredClone(vmAcl),
    id: hostileId,
    name: HOSTILE_SCRIPT,
    resourceGroup: HOSTILE_MARKUP,
    tags: {
      OWNER: 'Alice@Contoso.COM',
      description: HOSTILE_SCRIPT,
      Contact: `${HOSTILE_SCRIPT} x`,
    },
  },
  {
    ...structuredClone(vmAcl),
    id: hostileId.replace('vm-hostile', 'vm-mixed-case'),
    name: 'vm-mixed-case',
    tags: { ownerEMAIL: 'FRANK@contoso.com; R&D+Ops@Contoso.com' },
  },
];
const exportRows = [...demoRows, ...extraRows];
const exportFile = file('export.json', JSON.stringify({ data: exportRows }));
const NOW = '2026-11-26';
const DASHBOARD = 'https://readiness.contoso.example/api/dashboard';

const OWNER_TAGS = ['owner', 'owneremail', 'contact', 'createdby'];

/** Recipients computed independently of the app: owner-tag addresses, lower-cased, of resources with a blocker or warning. */
async function expectedRecipients(): Promise<{ owners: Set<string>; ownerless: number }> {
  const scan = await run('scan', '--input', exportFile, '--format', 'json', '--now', NOW);
  const findings: { resourceId: string; severity: string }[] = JSON.parse(scan.stdout).findings;
  const rowById = new Map(exportRows.map((r) => [r.id.toLowerCase(), r]));
  const owners = new Set<string>();
  let ownerless = 0;
  for (const f of findings) {
    if (f.severity === 'info') continue;
    const tags = rowById.get(f.resourceId.toLowerCase())?.tags ?? {};
    const found = Object.entries(tags)
      .filter(([k]) => OWNER_TAGS.includes(k.toLowerCase()))
      .flatMap(([, v]) => v.match(/[^\s,;<>]+@[^\s,;<>]+\.[a-z]+/gi) ?? [])
      .map((a) => a.toLowerCase());
    for (const a of found) owners.add(a);
    if (found.length === 0) ownerless++;
  }
  return { owners, ownerless };
}

function emlFiles(outbox: string): Map<string, ParsedEml> {
  const out = new Map<string, ParsedEml>();
  for (const name of readdirSync(outbox).sort())
    out.set(name, parseEml(readFileSync(join(outbox, name), 'utf8')));
  return out;
}

describe('readiness digest', () => {
  it('writes one .eml per recipient, owners merged case-insensitively', async () => {
    const outbox = join(dir, 'outbox-owners');
    const { code, stdout, stderr } = await run(
      'digest',
      '--input',
      exportFile,
      '--outbox',
      outbox,
      '--now',
      NOW,
      '--dashboard-url',
      DASHBOARD,
    );
    expect(code).toBe(0);
    const expected = await expectedRecipients();
    expect(expected.owners.has('alice@contoso.com')).toBe(true);
    expect(expected.owners.has('r&d+ops@contoso.com')).toBe(true);
    expect(expected.ownerless).toBeGreaterThan(0);

    const files = emlFiles(outbox);
    expect(files.size).toBe(expected.owners.size);
    const printed = stdout
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
    expect(new Set(printed.map(([recipient]) => recipient))).toEqual(expected.owners);
    expect(printed).toHaveLength(files.size);
    expect([...files.keys()]).toContain('alice@contoso.com.eml');
    expect([...files.keys()]).toContain('r_d+ops@contoso.com.eml');
    expect([...files.keys()].some((n) => /[A-Z]/.test(n))).toBe(false);
    expect(stderr).toMatch(/have no owner tag and were not mailed: add --default-recipient/);

    for (const [recipient, subject, path] of printed) {
      const eml = parseEml(readFileSync(path as string, 'utf8'));
      expect(eml.to).toEqual([recipient]);
      expect(eml.subject).toBe(subject);
      expect(eml.subject).toMatch(/^\[Azure readiness\] \d+ new (migration blocker|warning)/);
      expect(eml.from).toBe('readiness-preview@localhost');
      expect(eml.text).toBeTruthy();
      expect(eml.html).toMatch(/^<!DOCTYPE html>/);
      expect(eml.html).not.toMatch(/<script|<img|src=/i);
    }

    // Alice gets the demo's vm-acl (tag owner) and the crafted VM (tag OWNER, Alice@Contoso.COM) in one digest.
    const alice = files.get('alice@contoso.com.eml') as ParsedEml;
    expect(alice.text).toContain('vm-acl');
    expect(alice.text).toContain(HOSTILE_SCRIPT);
    expect(alice.text).toContain('Why you: tag OWNER on the resource');
    // Frank gets his demo VM and the crafted one tagged FRANK@contoso.com.
    const frank = files.get('frank@contoso.com.eml') as ParsedEml;
    expect(frank.text).toContain('vm-healthy01');
    expect(frank.text).toContain('vm-mixed-case');
    // Rule docs link to the app's rule pages on the dashboard's origin.
    expect(alice.html).toContain(
      'href="https://readiness.contoso.example/api/rules/classic/vm-endpoint-acl?format=html"',
    );
    expect(alice.html).toContain(`href="${DASHBOARD}"`);
  });

  it('escapes hostile names, groups and tag values in the HTML part', async () => {
    const outbox = join(dir, 'outbox-hostile');
    expect(
      (await run('digest', '--input', exportFile, '--outbox', outbox, '--now', NOW)).code,
    ).toBe(0);
    const files = emlFiles(outbox);
    const alice = files.get('alice@contoso.com.eml') as ParsedEml;
    const html = alice.html as string;
    expect(html).not.toContain(HOSTILE_SCRIPT);
    expect(html).not.toContain(HOSTILE_MARKUP);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&quot;quotes&quot; &amp; &lt;b&gt;bold&lt;/b&gt;');
    // The address from the tag value `R&D+Ops@Contoso.com` is escaped where it is shown.
    const rd = files.get('r_d+ops@contoso.com.eml') as ParsedEml;
    expect(rd.to).toEqual(['r&d+ops@contoso.com']);
    expect(rd.html).toContain('For <strong>r&amp;d+ops@contoso.com</strong>');
    expect(rd.html).not.toContain('r&d+ops');
    for (const eml of files.values()) {
      expect(eml.html).not.toContain(HOSTILE_SCRIPT);
      expect(eml.html).not.toMatch(/<script/i);
    }
    // Without --dashboard-url, a rule's doc is its path in the project, shown as text.
    expect(html).toContain('docs/rules/classic/vm-endpoint-acl.md');
  });

  it('sends the ownerless findings to --default-recipient', async () => {
    const outbox = join(dir, 'outbox-default');
    const { code, stdout, stderr } = await run(
      'digest',
      '--input',
      exportFile,
      '--outbox',
      outbox,
      '--now',
      NOW,
      '--default-recipient',
      'Platform-Team@Contoso.com',
    );
    expect(code).toBe(0);
    expect(stderr).not.toMatch(/not mailed/);
    const expected = await expectedRecipients();
    const files = emlFiles(outbox);
    expect(files.size).toBe(expected.owners.size + 1);
    expect(stdout).toMatch(/^platform-team@contoso\.com\t/m);
    const platform = files.get('platform-team@contoso.com.eml') as ParsedEml;
    // vm-defender has no tags at all; vm-nosubnet's owner tag is not an address.
    expect(platform.text).toContain('vm-defender');
    expect(platform.text).toContain('vm-nosubnet');
    expect(platform.text).toContain('Why you: the default recipients (no owner found)');
    expect(platform.text).not.toContain('vm-acl');
    // Owned findings stay with their owners.
    expect((files.get('alice@contoso.com.eml') as ParsedEml).text).toContain('vm-acl');
  });

  it('exits 2 naming the file for bad input, and for bad usage', async () => {
    const outbox = join(dir, 'outbox-bad');
    const broken = file('broken.json', '{"data": [1, 2');
    const bad = await run('digest', '--input', broken, '--outbox', outbox);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(broken);
    expect(bad.stderr).toMatch(/not valid JSON/);

    const missing = await run('digest', '--input', join(dir, 'nope.json'), '--outbox', outbox);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.json: no such file/);

    expect((await run('digest', '--input', exportFile)).code).toBe(2);
    const recipient = await run(
      'digest',
      '--input',
      exportFile,
      '--outbox',
      outbox,
      '--default-recipient',
      'not-an-address',
    );
    expect(recipient.code).toBe(2);
    expect(recipient.stderr).toMatch(
      /--default-recipient: "not-an-address" is not an e-mail address/,
    );
    const url = await run(
      'digest',
      '--input',
      exportFile,
      '--outbox',
      outbox,
      '--dashboard-url',
      'javascript:alert(1)',
    );
    expect(url.code).toBe(2);
    expect(url.stderr).toMatch(/--dashboard-url/);
  });
});
