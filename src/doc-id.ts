/**
 * Document ids: 128 random bits in lowercase base32, 26 characters, URL-safe and
 * unguessable. Dependency-light on purpose: the CLI, the daemon's config parser and
 * the demo check ids without loading the engine.
 */
import { base32 } from 'multiformats/bases/base32'

// 26 characters: an open document (128 random bits). 52: a private document, the base32 of its
// root public key (src/trust/keys.ts).
export const DOC_ID_PATTERN = /^(?:[a-z2-7]{26}|[a-z2-7]{52})$/

/** What an id looks like, for error messages. */
export const DOC_ID_SYNTAX = '26 (open) or 52 (private) characters of lowercase base32 (a-z, 2-7)'

export function isValidDocId (id: unknown): id is string {
  return typeof id === 'string' && DOC_ID_PATTERN.test(id)
}

export function newDocId (): string {
  return base32.baseEncode(globalThis.crypto.getRandomValues(new Uint8Array(16)))
}
