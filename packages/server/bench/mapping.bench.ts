/**
 * Mapping throughput: our buildCapiEvent vs Meta's facebook-nodejs-business-sdk building the same CAPI
 * events (UserData/CustomData/Content/ServerEvent + normalize(), which hashes; no network) from the same
 * Commanders Act–style inputs. Interleaved rounds after a warm-up; prints median events/s and the ratio.
 * Run: node --import tsx bench/mapping.bench.ts   (env BENCH_EVENTS, BENCH_ROUNDS, BENCH_MS)
 */
import { createRequire } from 'node:module';
import { buildCapiEvent } from '../dist/mapping/build.js';
import type { DestinationConfig } from '../dist/mapping/types.js';

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdk = require('facebook-nodejs-business-sdk') as Record<string, new (...a: unknown[]) => Record<string, (...a: unknown[]) => unknown>>;
const { ServerEvent, UserData, CustomData, Content } = sdk as unknown as Record<string, new () => Record<string, (...a: unknown[]) => unknown>>;

const N = Number(process.env.BENCH_EVENTS ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const ROUND_MS = Number(process.env.BENCH_MS ?? 700);
const NOW = Date.now();

const DEST: DestinationConfig = {
  id: 'bench', pixelId: '1234567890', matchPolicy: 'commanders-act', contentType: 'product', defaultActionSource: 'website',
  sendAllProperties: false, defaultPhoneCountry: 'US',
};
const CTX = { now: NOW, ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126 Safari/537.36' };

type Ev = {
  event_name: string; id: string; amount: number; currency: string;
  context: { event_id: string; event_timestamp: number; page: { url: string } };
  integrations: { facebook: { event_id: string; fbp: string } };
  user: Record<string, string>;
  items: Array<{ quantity: number; product: { id: string; price: number; name: string; category_1: string } }>;
};

const NAMES = ['purchase', 'add_to_cart', 'view_item', 'begin_checkout'];
const inputs: Ev[] = Array.from({ length: N }, (_, i) => ({
  event_name: NAMES[i % NAMES.length]!,
  id: `ORD-${i}`,
  amount: 10 + (i % 90),
  currency: 'eur',
  context: { event_id: `evt-${i}`, event_timestamp: NOW - i * 1000, page: { url: `https://shop.example/p/${i}` } },
  integrations: { facebook: { event_id: `evt-${i}`, fbp: `fb.1.${NOW - 5000}.${100000 + i}` } },
  user: {
    id: `U${i}`, email: `User.${i}@Example.com `, phone: `(650) 555-${String(1000 + (i % 9000)).padStart(4, '0')}`,
    firstname: i % 2 ? 'Mary' : 'Jean-Luc', lastname: 'Smith', gender: i % 2 ? 'female' : 'M', birthdate: '1990-02-16',
    city: 'New York', state: 'NY', zipcode: '10001', country: 'US',
  },
  items: [
    { quantity: 1 + (i % 3), product: { id: `SKU-${i}`, price: 9.5, name: 'Mug', category_1: 'Kitchen' } },
    { quantity: 1, product: { id: `SKU-${i + 1}`, price: 3, name: 'Spoon', category_1: 'Kitchen' } },
  ],
}));

/** The same mapping done with Meta's SDK objects (the SDK hashes/normalises in normalize()). */
function sdkBuild(e: Ev): unknown {
  const u = e.user;
  const ud = new UserData();
  ud.setEmail!(u.email); ud.setPhone!(`1${u.phone!.replace(/\D/g, '')}`); ud.setFirstName!(u.firstname); ud.setLastName!(u.lastname);
  ud.setGender!(u.gender!.toLowerCase().startsWith('f') ? 'f' : 'm'); ud.setDateOfBirth!(u.birthdate!.replace(/-/g, ''));
  ud.setCity!(u.city); ud.setState!(u.state); ud.setZip!(u.zipcode); ud.setCountry!(u.country); ud.setExternalId!(u.id);
  ud.setClientIpAddress!(CTX.ip); ud.setClientUserAgent!(CTX.userAgent); ud.setFbp!(e.integrations.facebook.fbp);
  const contents = e.items.map((it) => {
    const c = new Content();
    c.setId!(it.product.id); c.setQuantity!(it.quantity); c.setItemPrice!(it.product.price);
    return c;
  });
  const cd = new CustomData();
  cd.setValue!(e.amount); cd.setCurrency!(e.currency); cd.setContents!(contents); cd.setContentIds!(e.items.map((it) => it.product.id));
  cd.setNumItems!(e.items.length); cd.setOrderId!(e.id); cd.setContentName!(e.items[0]!.product.name);
  cd.setContentCategory!(e.items[0]!.product.category_1); cd.setContentType!('product');
  const se = new ServerEvent();
  se.setEventName!(e.event_name === 'purchase' ? 'Purchase' : e.event_name === 'add_to_cart' ? 'AddToCart' : e.event_name === 'view_item' ? 'ViewContent' : 'InitiateCheckout');
  se.setEventTime!(Math.floor(e.context.event_timestamp / 1000)); se.setEventId!(e.integrations.facebook.event_id);
  se.setActionSource!('website'); se.setEventSourceUrl!(e.context.page.url); se.setUserData!(ud); se.setCustomData!(cd);
  return se.normalize!();
}

function ours(e: Ev): unknown {
  const r = buildCapiEvent(e, DEST, CTX);
  if (!r.ok) throw new Error(`bench input dropped: ${r.reason} ${r.detail}`);
  return r.event;
}

function round(fn: (e: Ev) => unknown, ms: number): number {
  let n = 0;
  let sink = 0;
  const start = process.hrtime.bigint();
  const limit = BigInt(ms) * 1_000_000n;
  let elapsed = 0n;
  while (elapsed < limit) {
    for (let i = 0; i < 200; i++) {
      const out = fn(inputs[(n + i) % N]!);
      if (out) sink++;
    }
    n += 200;
    elapsed = process.hrtime.bigint() - start;
  }
  if (sink !== n) throw new Error('sink');
  return n / (Number(elapsed) / 1e9);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// Sanity: both produce the same hashed em for the first input.
const a = ours(inputs[0]!) as { user_data: { em: string[] } };
const b = sdkBuild(inputs[0]!) as { user_data: { em: string | string[] } };
const bEm = Array.isArray(b.user_data.em) ? b.user_data.em[0] : b.user_data.em;
if (a.user_data.em[0] !== bEm) throw new Error(`em mismatch: ${a.user_data.em[0]} vs ${bEm}`);

round(ours, 300);
round(sdkBuild, 300);
const oursR: number[] = [];
const sdkR: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  if (r % 2 === 0) { oursR.push(round(ours, ROUND_MS)); sdkR.push(round(sdkBuild, ROUND_MS)); }
  else { sdkR.push(round(sdkBuild, ROUND_MS)); oursR.push(round(ours, ROUND_MS)); }
}
const o = median(oursR);
const s = median(sdkR);
const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');
console.log(`mapping bench: ${N} distinct inputs, ${ROUNDS} interleaved rounds of ${ROUND_MS} ms (median)`);
console.log(`  capi-bridge buildCapiEvent        ${fmt(o).padStart(10)} events/s`);
console.log(`  facebook-nodejs-business-sdk      ${fmt(s).padStart(10)} events/s`);
console.log(`  ratio                             ${(o / s).toFixed(2)}x (target >= 4x)`);
console.log(JSON.stringify({ bench: 'mapping', oursEventsPerSec: Math.round(o), sdkEventsPerSec: Math.round(s), ratio: Number((o / s).toFixed(2)) }));
