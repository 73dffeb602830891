export interface SandboxStats {
  graphRequests: number;
  accepted: number;
  rejected: number;
  faulted: number;
  eventsReceived: number;
  eventsByPixel: Record<string, number>;
  pixelHits: number;
}

export function newStats(): SandboxStats {
  return { graphRequests: 0, accepted: 0, rejected: 0, faulted: 0, eventsReceived: 0, eventsByPixel: {}, pixelHits: 0 };
}
