import { v4 } from 'uuid';

/** A new event id (UUID v4; uuid's v4 uses `crypto.randomUUID` when the browser has it). */
export const generateEventId = (): string => v4();
