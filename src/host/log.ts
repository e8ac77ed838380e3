import * as vscode from 'vscode';

/** How many recent lines are kept in memory (for the secret-scan test and "copy recent log"). */
const RECENT_MAX = 2000;

/**
 * The product's one log channel ("WeCom Archive"). A thin wrapper that also keeps the recent lines,
 * so tests can prove no secret was ever logged. Callers pass redacted text only.
 */
class RecordingLog implements vscode.LogOutputChannel {
  private readonly lines: string[] = [];
  constructor(private readonly channel: vscode.LogOutputChannel) {}

  get name(): string {
    return this.channel.name;
  }
  get logLevel(): vscode.LogLevel {
    return this.channel.logLevel;
  }
  get onDidChangeLogLevel(): vscode.Event<vscode.LogLevel> {
    return this.channel.onDidChangeLogLevel;
  }

  private keep(level: string, message: string, args: unknown[]): void {
    this.lines.push(`[${level}] ${message}${args.length ? ` ${args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ')}` : ''}`);
    if (this.lines.length > RECENT_MAX) this.lines.splice(0, this.lines.length - RECENT_MAX);
  }

  recent(): readonly string[] {
    return this.lines;
  }

  trace(message: string, ...args: unknown[]): void {
    this.keep('trace', message, args);
    this.channel.trace(message, ...args);
  }
  debug(message: string, ...args: unknown[]): void {
    this.keep('debug', message, args);
    this.channel.debug(message, ...args);
  }
  info(message: string, ...args: unknown[]): void {
    this.keep('info', message, args);
    this.channel.info(message, ...args);
  }
  warn(message: string, ...args: unknown[]): void {
    this.keep('warn', message, args);
    this.channel.warn(message, ...args);
  }
  error(error: string | Error, ...args: unknown[]): void {
    this.keep('error', error instanceof Error ? error.message : error, args);
    this.channel.error(error, ...args);
  }
  append(value: string): void {
    this.keep('append', value, []);
    this.channel.append(value);
  }
  appendLine(value: string): void {
    this.keep('append', value, []);
    this.channel.appendLine(value);
  }
  replace(value: string): void {
    this.channel.replace(value);
  }
  clear(): void {
    this.channel.clear();
  }
  show(preserveFocus?: boolean): void;
  show(column?: vscode.ViewColumn, preserveFocus?: boolean): void;
  show(a?: boolean | vscode.ViewColumn, b?: boolean): void {
    if (typeof a === 'boolean' || a === undefined) this.channel.show(a);
    else this.channel.show(a, b);
  }
  hide(): void {
    this.channel.hide();
  }
  dispose(): void {
    this.channel.dispose();
  }
}

let channel: RecordingLog | undefined;

export function createLog(): RecordingLog {
  channel ??= new RecordingLog(vscode.window.createOutputChannel('WeCom Archive', { log: true }));
  return channel;
}

export function log(): RecordingLog {
  return createLog();
}
