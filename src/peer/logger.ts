// Structured logs with levels: one record per line, either JSON (for journald, log shippers and
// tests) or text with key=value fields (for a person at a terminal). Records below the level
// are dropped before they are formatted.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'json' | 'text';
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export type LogFields = Record<string, string | number | boolean | null | undefined | string[]>;

export interface Logger {
  readonly level: LogLevel;
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export interface LoggerOptions {
  level: LogLevel;
  format: LogFormat;
  /** One formatted line, without its newline. */
  write(line: string): void;
  nowMs?: () => number;
}

function textValue(value: LogFields[string]): string {
  const text = Array.isArray(value) ? value.join(',') : String(value);
  return /[\s"=]/.test(text) || text === '' ? JSON.stringify(text) : text;
}

export function formatRecord(
  format: LogFormat,
  timeMs: number,
  level: LogLevel,
  message: string,
  fields: LogFields,
): string {
  const time = new Date(timeMs).toISOString();
  const defined = Object.entries(fields).filter(([, value]) => value !== undefined);
  if (format === 'json') {
    return JSON.stringify({ time, level, msg: message, ...Object.fromEntries(defined) });
  }
  const pairs = defined.map(([key, value]) => `${key}=${textValue(value)}`).join(' ');
  return `${time} ${level.toUpperCase().padEnd(5)} ${message}${pairs ? ` ${pairs}` : ''}`;
}

export function createLogger(options: LoggerOptions): Logger {
  const minimum = LOG_LEVELS.indexOf(options.level);
  const nowMs = options.nowMs ?? (() => Date.now());
  const log =
    (level: LogLevel) =>
    (message: string, fields: LogFields = {}) => {
      if (LOG_LEVELS.indexOf(level) < minimum) return;
      options.write(formatRecord(options.format, nowMs(), level, message, fields));
    };
  return {
    level: options.level,
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
  };
}
