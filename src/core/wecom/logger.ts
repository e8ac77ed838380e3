/**
 * The logger the wecom layer writes to. Structurally a subset of VS Code's LogOutputChannel, so the
 * host can pass its output channel directly. Callers only ever pass already-redacted strings.
 */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};
