// Issue 21: an exemption takes effect on the stored findings when it is created or removed, not at the next scan —
// and where it cannot (a tag scope: stored findings do not keep their resource's tags; a scan running), the answer
// says when it will.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRuleWitnesses, demoTenant } from '../../dev/tenants/demo.js';
import { silentLogger } from '../../src/adapters/logger.js';
import { runScan } from '../../src/app/run-scan.js';
import { createServices, scanDepsOf, setServices, type Services } from '../../src/composition.js';
import { loadConfig } from '../../src/config.js';
import { postExemption, removeExemption } from '../../src/functions/exemptions.js';
import { getFindings } from '../../src/functions/get-findings.js';
import { forgetCachedStatus, getStatus } from '../../src/functions/get-status.js';
import { body, context, request, through } from '../support/http.js';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let services: Services;
const RULE = 'classic/vm-endpoint-acl';
const ACL_VM = demoRuleWitnesses()[RULE]?.[0] as string;

beforeAll(async () => {
  stack = await startStack({ tenant: demoTenant() });
  services = createServices(loadConfig(stack.env()), silentLogger);
  setServices(services);
  await scan();
});
afterAll(async () => {
  setServices(undefined);
  await stack?.stop();
});

const scan = () => runScan(scanDepsOf(services), { scope: { kind: 'tenant' }, trigger: 'cli' });
const expiresOn = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
const post = async (payload: Record<string, unknown>) =>
  through(
    postExemption(
      request('/api/exemptions', {
        method: 'POST',
        body: JSON.stringify({
          rule: RULE,
          expiresOn,
          justification: 'Decommissioned in Q1, ticket 4711',
          createdBy: 'lead@contoso.com',
          ...payload,
        }),
      }),
      context(),
    ),
  );
const remove = async (id: string) =>
  through(
    removeExemption(
      request(`/api/exemptions/${id}?by=lead@contoso.com`, { method: 'DELETE', params: { id } }),
      context(),
    ),
  );
const findings = async (query: string) =>
  body(await through(getFindings(request(`/api/findings?${query}`), context()))).items as {
    resourceId: string;
    exemptionId?: string;
  }[];
const status = async () => {
  forgetCachedStatus();
  return body(await through(getStatus(request('/api/status'), context())));
};
const onVm = <T extends { resourceId: string }>(items: T[]) =>
  items.filter((f) => f.resourceId.toLowerCase() === ACL_VM.toLowerCase());

describe('an exemption on stored findings', () => {
  it('marks the matching open findings exempted when created, and says so', async () => {
    const before = await status();
    expect(onVm(await findings(`ruleId=${RULE}`))).toHaveLength(1);
    const created = await post({ scope: { resourceId: ACL_VM } });
    expect(created.status).toBe(201);
    const exemption = body(created);
    expect(exemption.effect).toEqual({
      applied: 'now',
      findings: 1,
      message: 'in effect now: 1 stored finding exempted',
    });
    expect(onVm(await findings(`ruleId=${RULE}`))).toHaveLength(0);
    const exempted = onVm(await findings(`ruleId=${RULE}&status=exempted`));
    expect(exempted.map((f) => f.exemptionId)).toEqual([exemption.id]);
    const after = await status();
    expect(after.findings.open).toBe(before.findings.open - 1);
    expect(after.findings.exempted).toBe((before.findings.exempted ?? 0) + 1);
    expect(after.findings.byRule[RULE] ?? 0).toBe((before.findings.byRule[RULE] ?? 0) - 1);

    // The next scan agrees with what was written: nothing flips back.
    const record = await scan();
    expect(record.counts.exempted).toBe(1);
    expect(onVm(await findings(`ruleId=${RULE}&status=exempted`))).toHaveLength(1);

    // Removed: the finding is open again at once, and the counts with it.
    const removed = await remove(exemption.id);
    expect(removed.status).toBe(200);
    expect(body(removed)).toEqual({
      id: exemption.id,
      removed: true,
      effect: { applied: 'now', findings: 1, message: 'in effect now: 1 stored finding restored' },
    });
    expect(onVm(await findings(`ruleId=${RULE}`))).toHaveLength(1);
    const restored = await status();
    expect(restored.findings.open).toBe(before.findings.open);
    expect(restored.findings.exempted ?? 0).toBe(before.findings.exempted ?? 0);
    const again = await scan();
    expect(again.counts.exempted ?? 0).toBe(0);
  });

  it('says a tag exemption takes effect at the next scan, and leaves the store as it is', async () => {
    const created = await post({ scope: { tag: 'env=legacy' } });
    expect(created.status).toBe(201);
    expect(body(created).effect).toMatchObject({ applied: 'next-scan', findings: 0 });
    expect(body(created).effect.message).toMatch(
      /^takes effect at the next scan: stored findings do not keep their resource's tags/,
    );
    await remove(body(created).id);
  });

  it('says it takes effect at the next scan while a scan runs (that scan read the exemptions before)', async () => {
    const lease = await services.store.acquireLease('a-running-scan', 60, new Date());
    try {
      const created = await post({ scope: { resourceId: ACL_VM } });
      expect(created.status).toBe(201);
      expect(body(created).effect).toMatchObject({ applied: 'next-scan', findings: 0 });
      expect(body(created).effect.message).toMatch(/a scan is running/);
      expect(onVm(await findings(`ruleId=${RULE}`))).toHaveLength(1);
      const removed = await remove(body(created).id);
      expect(body(removed).effect).toMatchObject({ applied: 'next-scan' });
    } finally {
      await lease.release();
    }
  });
});
