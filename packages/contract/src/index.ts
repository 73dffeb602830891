export * from './event-names.js';
export * from './tag-event.js';
export * from './custom-data.js';
