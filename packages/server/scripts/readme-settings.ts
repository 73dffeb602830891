/**
 * Rewrites the settings table of packages/server/README.md from the settings tables (src/config/settings.ts).
 * Run: node --import tsx packages/server/scripts/readme-settings.ts   (settings.test.ts fails until it is run)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { README_TABLE_END, README_TABLE_START, withSettingsTable } from '../src/config/settings-doc.js';

const path = new URL('../README.md', import.meta.url);
const before = readFileSync(path, 'utf8');
const after = withSettingsTable(before);
if (after === before) console.log(`README settings table (${README_TABLE_START} … ${README_TABLE_END}) already up to date`);
else {
  writeFileSync(path, after);
  console.log('README settings table rewritten');
}
