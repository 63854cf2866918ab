import { access } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RpcCallContext } from '@cbor-rpc/rpc';
import { UsageError } from './errors.js';
import { errorText } from './failure-message.js';

/** A served function: the call's context first, then the caller's arguments. */
export type Handler = (context: RpcCallContext, ...args: unknown[]) => unknown;

/** Extensions of modules loaded through jiti, which strips their types; the rest are imported by Node. */
export const TYPESCRIPT_EXTENSIONS: readonly string[] = ['.ts', '.mts', '.cts', '.tsx'];

/**
 * The functions module `path` exports, by export name, for `serve`; a
 * CommonJS module (or a default export that is a plain object) gives the
 * functions of the object it exports. JavaScript is imported by Node;
 * TypeScript is loaded through jiti. Throws a `UsageError` when the module
 * cannot be loaded or exports no function.
 */
export async function loadHandlers(path: string): Promise<Record<string, Handler>> {
  const file = resolve(path);
  let namespace: Record<string, unknown>;
  try {
    await access(file);
  } catch {
    throw new UsageError(`cannot load ${path}: there is no such file`);
  }
  try {
    namespace = TYPESCRIPT_EXTENSIONS.includes(extname(file)) ? await importTypeScript(file) : await import(pathToFileURL(file).href);
  } catch (error) {
    throw new UsageError(`cannot load ${path}: ${errorText(error)}`, { cause: error });
  }
  const handlers: Record<string, Handler> = {};
  const fallback = namespace.default;
  if (isPlainObject(fallback)) collectFunctions(fallback, handlers);
  collectFunctions(namespace, handlers);
  delete handlers.default;
  if (Object.keys(handlers).length === 0) throw new UsageError(`${path} exports no functions to serve`);
  return handlers;
}

async function importTypeScript(file: string): Promise<Record<string, unknown>> {
  const { createJiti } = await import('jiti');
  return createJiti(import.meta.url).import<Record<string, unknown>>(file);
}

function collectFunctions(owner: object, into: Record<string, Handler>): void {
  for (const [name, value] of Object.entries(owner)) {
    if (typeof value === 'function') into[name] = (value as Handler).bind(owner);
  }
}

function isPlainObject(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
