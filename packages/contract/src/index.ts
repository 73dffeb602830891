export * from './event-names.js';
export * from './tag-event.js';
