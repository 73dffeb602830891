import type { Response } from 'express';

/** Every error body: `{error:{code,message,field?}}`. Messages name the problem, never a secret. */
export interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

export class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly field?: string) {
    super(message);
  }
}

export function sendError(res: Response, status: number, code: string, message: string, field?: string): void {
  const body: ErrorBody = { error: field === undefined ? { code, message } : { code, message, field } };
  res.status(status).json(body);
}

/** The 503 every ingest route answers once shutdown has begun. */
export function shuttingDownError(): HttpError {
  return new HttpError(503, 'shutting_down', 'server is shutting down; retry');
}
