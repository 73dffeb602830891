import { buildCapiEvent } from '../../src/mapping/build.js';
import type { BuildResult, DestinationConfig, MappingContext } from '../../src/mapping/types.js';

/**
 * The mapping core plus two test behaviours, loaded both inline and in the mapping workers (map-worker
 * tests): `{ explode: true }` throws, `{ spin: ms }` busy-waits first (a slow worker for timeouts).
 */
export function build(input: unknown, d: DestinationConfig, ctx?: MappingContext): BuildResult {
  const o = typeof input === 'object' && input !== null ? (input as { explode?: unknown; spin?: unknown }) : {};
  if (o.explode) throw new Error(`boom "quoted" for ${d.id}\n`);
  if (typeof o.spin === 'number') {
    const end = Date.now() + o.spin;
    while (Date.now() < end) { /* busy */ }
  }
  return buildCapiEvent(input, d, ctx);
}
