/**
 * Routes the browser's requests to Meta's hosts to the local meta-sandbox, so the page embeds the tag
 * exactly as in production (Meta's CDN URL for fbevents.js, pixel hits to www.facebook.com/tr) while
 * nothing leaves the machine. Every other non-local request is aborted.
 */
import type { BrowserContext } from 'playwright-core';

export const META_TR_URL = 'https://www.facebook.com/tr/';

const LOCAL_HOST = /(^|\.)example\.test$|^127\.0\.0\.1$|^localhost$/;

export interface PixelHit {
  url: string;
  method: string;
  params: URLSearchParams;
}

export async function routeMetaToSandbox(
  context: BrowserContext,
  sandboxUrl: string,
  onHit?: (hit: PixelHit) => void,
): Promise<void> {
  // Registered first, so the Meta routes below take precedence (Playwright tries the newest route first).
  await context.route(
    (url) => !LOCAL_HOST.test(url.hostname) && url.protocol !== 'data:' && url.protocol !== 'blob:',
    (route) => route.abort('blockedbyclient'),
  );

  await context.route(/^https:\/\/connect\.facebook\.net\//, async (route) => {
    const url = new URL(route.request().url());
    if (!url.pathname.endsWith('/fbevents.js')) {
      await route.fulfill({ status: 404, contentType: 'text/plain', body: 'not served by the sandbox' });
      return;
    }
    const res = await fetch(`${sandboxUrl}/en_US/fbevents.js?tr_url=${encodeURIComponent(META_TR_URL)}`);
    const body = await res.text();
    await route
      .fulfill({ status: res.status, contentType: res.headers.get('content-type') ?? 'text/javascript', body })
      .catch((err: unknown) => {
        if (!/disposed|closed|Target/.test(String(err))) throw err;
      });
  });

  await context.route(/^https:\/\/www\.facebook\.com\/tr(\/|\?|$)/, async (route) => {
    const request = route.request();
    const url = new URL(request.url());
    const params = new URLSearchParams(url.search);
    const body = request.postData();
    if (body && !body.trimStart().startsWith('{')) for (const [k, v] of new URLSearchParams(body)) params.append(k, v);
    onHit?.({ url: request.url(), method: request.method(), params });
    try {
      const response = await route.fetch({ url: `${sandboxUrl}${url.pathname}${url.search}` });
      await route.fulfill({ response });
    } catch (err) {
      // The page or context closed while the hit was in flight (a navigation, the end of a test).
      if (!/disposed|closed|Target/.test(String(err))) throw err;
    }
  });
}
