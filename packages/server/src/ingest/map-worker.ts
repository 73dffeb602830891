/**
 * Worker entry of the mapping pool (see map-pool.ts): decodes + parses a `/v1/events` body, runs the SAME
 * `prepare` as the inline path (prepare.ts) and answers with strings and numbers only: the reply
 * fragment, per queued item its JSON text and head fields, and the drops. Nothing here throws to the main
 * thread: every failure becomes a reply (request errors as `httpError`, anything else as `fail`).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { buildCapiEvent } from '../mapping/build.js';
import type { DestinationConfig } from '../mapping/types.js';
import { HttpError } from '../http/errors.js';
import { eventsFromBody, jsonFromBuffer } from './events-input.js';
import { prepare } from './prepare.js';
import type { BuildFn, IngestDeps } from './types.js';
import type { MapReply, MapRequest, MapWorkerInit } from './map-pool.js';

const port = parentPort;
if (!port) throw new Error('map-worker must run in a worker thread');
const init = workerData as MapWorkerInit;

async function loadBuild(): Promise<BuildFn> {
  if (init.buildModule === undefined) return buildCapiEvent;
  const m = (await import(init.buildModule)) as { build?: BuildFn; default?: BuildFn };
  const b = m.build ?? m.default;
  if (typeof b !== 'function') throw new Error(`${init.buildModule} exports no build function`);
  return b;
}

function handle(build: BuildFn, destinations: readonly DestinationConfig[], req: MapRequest): MapReply {
  let inputs: unknown[];
  try {
    inputs = eventsFromBody(jsonFromBuffer(req.body), req.maxBatch);
  } catch (e) {
    if (e instanceof HttpError) {
      return { id: req.id, httpError: e.field === undefined ? { status: e.status, code: e.code, message: e.message } : { status: e.status, code: e.code, message: e.message, field: e.field } };
    }
    throw e;
  }
  const deps = { config: { destinations }, build, now: () => req.now } as unknown as IngestDeps;
  const p = prepare(deps, inputs, 'api', {});
  const n = p.items.length;
  const dest = new Array<string>(n);
  const json = new Array<string>(n);
  const eventId = new Array<string>(n);
  const eventName = new Array<string>(n);
  const eventTime = new Array<number>(n);
  const actionSource = new Array<string>(n);
  const fbp = new Array<string | null>(n);
  const fbc = new Array<string | null>(n);
  for (let i = 0; i < n; i++) {
    const it = p.items[i]!;
    const e = it.event;
    dest[i] = it.destinationId;
    json[i] = JSON.stringify(e);
    eventId[i] = e.event_id;
    eventName[i] = e.event_name;
    eventTime[i] = e.event_time;
    actionSource[i] = e.action_source;
    fbp[i] = e.user_data.fbp ?? null;
    fbc[i] = e.user_data.fbc ?? null;
  }
  return {
    id: req.id,
    ok: { count: p.count, accepted: p.accepted, resultsJson: p.resultsJson, dest, json, eventId, eventName, eventTime, actionSource, fbp, fbc, drops: p.drops, keyMasks: p.keyMasks },
  };
}

loadBuild().then(
  (build) => {
    const destinations = init.destinations;
    port.on('message', (req: MapRequest) => {
      let r: MapReply;
      try {
        r = handle(build, destinations, req);
      } catch (e) {
        r = { id: req.id, fail: (e as Error)?.message ?? String(e) };
      }
      port.postMessage(r);
    });
    port.postMessage({ id: 0, ready: true } satisfies MapReply);
  },
  (e: Error) => port.postMessage({ id: 0, fatal: e.message } satisfies MapReply),
);
