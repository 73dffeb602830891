import { SERVER_ONLY_FIELDS } from '@capi-bridge/contract';

/** Removes the fields a browser may not set (contract SERVER_ONLY_FIELDS); returns the paths removed. */
const SPLIT = SERVER_ONLY_FIELDS.map((path) => [path, path.split('.')] as const);

export function stripServerOnlyFields(event: Record<string, unknown>): string[] {
  const removed: string[] = [];
  for (const [path, parts] of SPLIT) {
    let node: unknown = event;
    for (let i = 0; i < parts.length - 1 && node !== undefined; i++) {
      node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[parts[i]!] : undefined;
    }
    const last = parts[parts.length - 1]!;
    if (typeof node === 'object' && node !== null && Object.prototype.hasOwnProperty.call(node, last)) {
      delete (node as Record<string, unknown>)[last];
      removed.push(path);
    }
  }
  return removed;
}
