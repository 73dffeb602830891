/** dist/tag-debug.js: what dist/tag.js imports from the server to report a debug forward's readable answer. */
export { reportAnswer as default } from './outcome.js';
