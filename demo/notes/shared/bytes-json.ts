/**
 * JSON that keeps Yjs updates: a Uint8Array travels as `{ "$bytes": "<base64>" }`. The browser
 * bridge (`npm run notes:web`) needs it because a WebSocket carries text or bytes, not the typed
 * arrays that Electron's IPC and Playwright's bindings pass through as they are.
 */
import { fromBase64, toBase64 } from 'lib0/buffer'

export function stringifyWithBytes (value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => v instanceof Uint8Array ? { $bytes: toBase64(v) } : v)
}

export function parseWithBytes (text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    const bytes = (v as { $bytes?: unknown } | null)?.$bytes
    return typeof bytes === 'string' && Object.keys(v as object).length === 1 ? fromBase64(bytes) : v
  })
}
