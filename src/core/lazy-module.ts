/**
 * A module loaded when first used, so that start-up pays only for what the run needs: an
 * offline audit, or one against a plain-HTTP mirror, never loads TLS or HTTP/2.
 */
import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

export function lazyModule<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= load(id) as T);
}

export const https = lazyModule<typeof import('node:https')>('node:https');
export const http2 = lazyModule<typeof import('node:http2')>('node:http2');
export const tls = lazyModule<typeof import('node:tls')>('node:tls');
export const zlib = lazyModule<typeof import('node:zlib')>('node:zlib');
