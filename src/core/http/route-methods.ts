import type { RouteOptions } from 'fastify';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Whether `route` answers a method that may change state (anything but GET, HEAD, OPTIONS). */
export function isWriteRoute(route: Pick<RouteOptions, 'method'>): boolean {
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  return methods.some((method) => !SAFE_METHODS.has(method));
}
