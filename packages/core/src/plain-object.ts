/**
 * True for a plain object: one with no prototype, or with `Object.prototype`
 * of this realm or of another (a `vm` context's, an iframe's). What the
 * encoders write as a map of its own properties; anything else (a class
 * instance, a `Date`, ...) needs a form of its own.
 */
export function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === null || proto === Object.prototype) return true;
  if (Object.getPrototypeOf(proto) !== null) return false;
  const maker: unknown = (proto as { constructor?: unknown }).constructor;
  return typeof maker === 'function' && maker.name === 'Object';
}
