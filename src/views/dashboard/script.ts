// The dashboard's one inline script (sent under the page's CSP nonce): it never builds markup from data.

/** The filters: toggles `hidden` on server-rendered rows by their data attributes. No markup is ever built from data. */
export const SCRIPT = `
(() => {
  'use strict';
  const service = document.getElementById('t-service');
  if (!service) return;
  const items = Array.from(document.querySelectorAll('.timeline li[data-service]'));
  service.addEventListener('change', () => {
    for (const li of items) li.hidden = service.value !== '' && li.dataset.service !== service.value;
  });
})();
(() => {
  'use strict';
  const byId = (id) => document.getElementById(id);
  const table = byId('findings-table');
  if (!table || !table.tBodies[0]) return;
  const rows = Array.from(table.tBodies[0].rows);
  const search = byId('f-search');
  const selects = {
    severity: byId('f-severity'),
    rule: byId('f-rule'),
    subscription: byId('f-subscription'),
    state: byId('f-state'),
    urgency: byId('f-urgency'),
  };
  const count = byId('findings-count');
  const none = byId('findings-none');
  const apply = () => {
    const terms = (search ? search.value : '').toLowerCase().split(/\\s+/).filter(Boolean);
    const wanted = Object.entries(selects).filter(([, el]) => el && el.value).map(([key, el]) => [key, el.value]);
    let shown = 0;
    for (const row of rows) {
      const text = row.dataset.text || '';
      const ok = wanted.every(([key, value]) => row.dataset[key] === value) && terms.every((t) => text.includes(t));
      row.hidden = !ok;
      if (ok) shown += 1;
    }
    if (count) count.textContent = 'Showing ' + shown.toLocaleString('en-US') + ' of ' + rows.length.toLocaleString('en-US') + (rows.length === 1 ? ' finding' : ' findings');
    if (none) none.hidden = shown !== 0;
  };
  if (search) search.addEventListener('input', apply);
  for (const el of Object.values(selects)) if (el) el.addEventListener('change', apply);
  const reset = byId('f-reset');
  if (reset) reset.addEventListener('click', () => {
    if (search) search.value = '';
    for (const el of Object.values(selects)) if (el) el.value = '';
    apply();
    if (search) search.focus();
  });
  for (const button of document.querySelectorAll('button[data-show-state]')) {
    button.addEventListener('click', () => {
      if (search) search.value = '';
      for (const el of Object.values(selects)) if (el) el.value = '';
      if (selects.state) selects.state.value = button.dataset.showState || '';
      apply();
      const heading = byId('findings-h');
      if (heading) heading.scrollIntoView();
      if (selects.state) selects.state.focus();
    });
  }
  apply();
})();
`;
