import { allSettings } from './settings.js';

export const README_TABLE_START = '<!-- settings table: generated from src/config/settings.ts by scripts/readme-settings.ts -->';
export const README_TABLE_END = '<!-- end of settings table -->';

/** The README's "Environment variables" table: every setting with an environment variable, in table order. */
export function envSettingsTable(): string {
  const rows = ['| variable (config file) | default | meaning |', '|---|---|---|'];
  for (const [path, s] of allSettings()) {
    if (s.env === undefined) continue;
    const shown = s.shownDefault ?? (s.default === undefined ? 'unset' : `\`${String(s.default)}\``);
    rows.push(`| \`${s.env}\`${path === undefined ? '' : ` (\`${path}\`)`} | ${shown} | ${s.doc} |`);
  }
  return rows.join('\n');
}

/** `readme` with the text between the markers replaced by the generated table. */
export function withSettingsTable(readme: string): string {
  const start = readme.indexOf(README_TABLE_START);
  const end = readme.indexOf(README_TABLE_END);
  if (start < 0 || end < start) throw new Error('README: settings table markers not found');
  return `${readme.slice(0, start + README_TABLE_START.length)}\n${envSettingsTable()}\n${readme.slice(end)}`;
}
