import { pino, type Logger } from 'pino';
import { redactUrlsInText } from './redact-url.js';

export type { Logger };

/** Paths pino censors wherever they appear (two levels deep). */
export const REDACT_PATHS = [
  'accessToken', 'appSecret', 'apiKeys', 'access_token', 'appsecret_proof', 'authorization', 'token', 'secret',
  '*.accessToken', '*.appSecret', '*.apiKeys', '*.access_token', '*.appsecret_proof', '*.authorization', '*.token', '*.secret',
  'req.headers.authorization', 'headers.authorization', 'req.headers.cookie', 'headers.cookie',
];

export interface LoggerOptions {
  level?: string;
  /** Every secret value of the config: any occurrence in any log line is replaced (last line of defence). */
  secrets?: readonly string[];
  destination?: NodeJS.WritableStream;
}

/** JSON logger (stdout). Secrets are censored by path and, as a guard, by value in the serialized line. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const secrets = (options.secrets ?? []).filter((s) => s.length >= 4);
  return pino(
    {
      level: options.level ?? 'info',
      base: { name: 'capi-bridge' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      hooks: {
        streamWrite(line: string): string {
          // Last line of defence: configured secrets, and the user:password of any URL, wherever they appear.
          let out = redactUrlsInText(line);
          for (const s of secrets) if (out.includes(s)) out = out.split(s).join('[redacted]');
          return out;
        },
      },
    },
    (options.destination ?? process.stdout) as never,
  );
}
