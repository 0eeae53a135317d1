export const ALERTING_CONFIG = Symbol('ALERTING_CONFIG');
export const EVALUATE_READINGS = Symbol('EVALUATE_READINGS');
export const PG_POOL = Symbol('PG_POOL');
export const ALERT_STORE = Symbol('ALERT_STORE');
