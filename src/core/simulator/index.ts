// Public surface of the simulator for in-process users (demo mode, tests).
export { startSimulator, HOST, type RunningSimulator, type SimDirectory } from './server';
export type { SimulatorOptions, SuiteCredentials } from './options';
export type { FaultRule, FaultKind } from './faults';
export { FAULT_ERRCODES } from './faults';
export type { MessageOverride } from './generator';
export type { MessageSecret } from './keys';
export type { SimMessage } from './simulation';
export type { WeComMessage } from './serialize';
export type { SimStats } from './stats';
export type { RateLimitSettings } from './ratelimit';
export {
  SYNC_PATH,
  SEARCH_PATH,
  SET_PUBLIC_KEY_PATH,
  SUITE_TOKEN_PATH,
  CORP_TOKEN_PATH,
} from './wecom';
