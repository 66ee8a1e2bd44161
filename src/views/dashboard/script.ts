// The dashboard's one inline script (sent under the page's CSP nonce): it never builds markup from data.

/** The timeline's service filter: toggles `hidden` on server-rendered items. The table's filters are links (the URL). */
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
`;
