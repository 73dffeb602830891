/**
 * A new event id, a UUID v4. `crypto.randomUUID()` where the browser has it (secure contexts), else one
 * built from `crypto.getRandomValues`: version nibble 4, variant bits 10xx.
 * Not the `uuid` package the issue names: its v4 (the same two paths plus option handling and a 256-entry
 * hex table) costs ~160 B gzip of the tag's budget; see the README's Size section.
 */
export const generateEventId = (): string =>
  crypto.randomUUID?.() ??
  '10000000-1000-4000-8000-100000000000'.replace(/[018]/g, (c) =>
    (+c ^ (crypto.getRandomValues(new Uint8Array(1))[0]! & (15 >> (+c / 4)))).toString(16),
  );
