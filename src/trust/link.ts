/**
 * Invite links: `weft://<docId>?peer=<multiaddr>#<r|w|p>.<base32 secret>`.
 * The secret sits in the fragment, which browsers never send in a request, so wrapping a link
 * in an https page does not leak it to that server. It is 256 random bits, never a password:
 * it derives a one-off invite key, and an admin-signed Invite op grants that key its role.
 */
import { ed25519 } from '@noble/curves/ed25519.js'
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { randomBytes, utf8ToBytes } from '@noble/hashes/utils.js'
import { base32 } from 'multiformats/bases/base32'
import { isValidDocId } from '../doc-id.js'
import { docPublicKey } from './keys.js'

export type LinkRole = 'reader' | 'writer' | 'pinner'
const ROLE_CODE: Record<LinkRole, string> = { reader: 'r', writer: 'w', pinner: 'p' }
const CODE_ROLE: Record<string, LinkRole> = { r: 'reader', w: 'writer', p: 'pinner' }

export interface Link {
  docId: string
  /** A UX hint; the role that counts is the one in the Invite op. */
  role?: LinkRole
  secret?: Uint8Array
  peers: string[]
}

export class LinkError extends Error {
  override name = 'LinkError'
}

export function newLinkSecret (): Uint8Array {
  return randomBytes(32)
}

export function formatLink (link: Link): string {
  const query = link.peers.map(p => `peer=${encodeURIComponent(p)}`).join('&')
  let out = `weft://${link.docId}${query === '' ? '' : '?' + query}`
  if (link.secret !== undefined) {
    if (link.role === undefined) throw new LinkError('a link with a secret needs a role')
    out += `#${ROLE_CODE[link.role]}.${base32.baseEncode(link.secret)}`
  }
  return out
}

export function parseLink (text: string): Link {
  const m = /^weft:\/\/([a-z2-7]+)(?:\?([^#]*))?(?:#([rwp])\.([a-z2-7]+))?$/.exec(text.trim())
  if (m === null) throw new LinkError('not a weft link')
  const [, docId, query, code, secret] = m
  if (!isValidDocId(docId)) throw new LinkError(`${docId} is not a document id`)
  const peers = new URLSearchParams(query ?? '').getAll('peer')
  if (code === undefined) return { docId, peers }
  let bytes: Uint8Array
  try {
    bytes = base32.baseDecode(secret)
  } catch {
    // multiformats throws a bare SyntaxError ("Unexpected end of data") for a cut-off secret
    throw new LinkError('the link secret is cut off or damaged (copy the whole link)')
  }
  if (bytes.byteLength !== 32) throw new LinkError('a link secret is 32 bytes')
  return { docId, role: CODE_ROLE[code], secret: bytes, peers }
}

/** The invite key a link secret stands for, bound to one document (the same secret elsewhere gives another key). */
export function inviteKey (secret: Uint8Array, docId: string): { seed: Uint8Array, publicKey: Uint8Array } {
  const seed = hkdf(sha256, secret, docPublicKey(docId), utf8ToBytes('weft/invite/v1'), 32)
  return { seed, publicKey: ed25519.getPublicKey(seed) }
}
