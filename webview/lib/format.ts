// Time and number formatting in the user's local time zone. Pure functions of their input.
// A send_time is whatever the API sent (1e300, -1, 0.5): one no Date can hold is named, not thrown.
import { timeMs } from '../../src/shared/visibleText';
import { t } from './l10n';

const pad = (n: number): string => String(n).padStart(2, '0');

/** The text for a time no Date can show ("invalid time 1e+300"). */
const invalid = (unixSeconds: number): string => t('invalid time {0}', String(unixSeconds));

/** 'YYYY-MM-DD' in local time: the day-separator key (the invalid-time text for impossible times). */
export function localDayKey(unixSeconds: number): string {
  const ms = timeMs(unixSeconds);
  if (ms === undefined) return invalid(unixSeconds);
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** 'YYYY-MM-DD HH:mm:ss' in local time. */
export function localDateTime(unixSeconds: number): string {
  const ms = timeMs(unixSeconds);
  if (ms === undefined) return invalid(unixSeconds);
  const d = new Date(ms);
  return `${localDayKey(unixSeconds)} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** 'HH:mm:ss' in local time. */
export function localTime(unixSeconds: number): string {
  const ms = timeMs(unixSeconds);
  if (ms === undefined) return invalid(unixSeconds);
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A call duration: 65 → '1:05', 3903 → '1:05:03'. */
export function formatDuration(seconds: number): string {
  // A number no clock can show (1e300, negative, not a number) is shown as it came.
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > Number.MAX_SAFE_INTEGER) return `${seconds} s`;
  const s = Math.floor(seconds);
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = s % 60;
  return hh > 0 ? `${hh}:${pad(mm)}:${pad(ss)}` : `${mm}:${pad(ss)}`;
}

/** Unix seconds → a `date` input value ('YYYY-MM-DD', local). */
export function unixToDateInput(unixSeconds: number): string {
  return timeMs(unixSeconds) === undefined ? '' : localDayKey(unixSeconds);
}

/** A `date` input value ('YYYY-MM-DD') → local midnight in Unix seconds, or undefined. */
export function dateInputToUnix(value: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  if (!m) return undefined;
  return Math.floor(new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])).getTime() / 1000);
}
