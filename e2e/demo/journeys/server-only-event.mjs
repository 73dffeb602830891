// A journey that breaks dedup the other way: the page posts an event straight to the companion server's
// /collect (no pixel call), so Meta gets only the server copy. verify must report it server-only.
export default async function journey(page) {
  const accept = page.locator('#consent-accept');
  if (await accept.isVisible()) await accept.click();
  await page.evaluate(async () => {
    const endpoint = new URL(document.querySelector('script[data-pixel-id]').src).origin;
    const body = {
      event_name: 'generate_lead',
      context: { event_id: 'server-only-lead-1', event_timestamp: Date.now(), page: { url: location.href, title: document.title } },
      integrations: { facebook: { event_id: 'server-only-lead-1' } },
      user: { email: 'jane.doe@example.com', phone: '+33612345678', firstname: 'Jane', lastname: 'Doe', city: 'Paris', country: 'FR', consent_categories: ['1'] },
    };
    await fetch(`${endpoint}/collect`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(body) });
  });
}
