// One structured log line per alert (msg "alert"), so a SIEM that tails stdout gets every field.
import type { Alert } from './alert.ts';
import type { Logger } from '../core/logger.ts';

/** The alert's own `time` would collide with pino's line time: it is logged as `alertTime`. */
export function alertLogFields(alert: Alert, repeat: boolean): Record<string, unknown> {
  const { time, ...rest } = alert;
  return { ...rest, alertTime: time, repeat };
}

export function logAlert(log: Logger, alert: Alert, repeat: boolean): void {
  // Always at info, whatever the severity: one level to filter on, and `log_level: warn` is an
  // explicit choice to silence them (the journal still has every alert).
  log.info(alertLogFields(alert, repeat), 'alert');
}
