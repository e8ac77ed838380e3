/** Public surface of the WeCom layer. Imports no `vscode`; the host wires it to settings and secrets. */
export * from './client';
export * from './decrypt';
export * from './errors';
export * from './logger';
export * from '../../shared/msgtypes';
export * from './proxy';
export * from './redact';
export * from '../../shared/rules';
export * from '../../shared/text';
export * from './timing';
export * from './tokens';
export * from './transport';
export * from './urls';
export * from './wire';
