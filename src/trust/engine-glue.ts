/**
 * What the engine does for private documents, kept here so the engine's own edits stay a few
 * lines: creating a document key, attaching a document's access state to its replica, and
 * turning a link into a membership.
 */
import { fromString as fromHex, toString as toHex } from 'uint8arrays'
import { ControlOp } from '../wire/trust.js'
import type { Store } from '../store/store.js'
import type { Replica } from '../replica/replica.js'
import { DocAccess, type PeerKey } from './doc-access.js'
import { controlOpId, type SigningKey } from './signed.js'
import { witness as witnessBody } from './control.js'
import { isPrivateDocId, newDocKey } from './keys.js'
import { Kind } from './aead.js'
import type { PresenceSeal } from '../presence/gate.js'

/** Makes a document key, keeps its root seed, and writes the genesis op making `me` its admin. */
export async function createPrivateDoc (store: Store, me: SigningKey): Promise<string> {
  const key = newDocKey()
  await store.putRootSeed(key.id, key.seed)
  const genesis = DocAccess.genesis(key.id, key.seed, me.publicKey)
  await store.putControlOp(key.id, toHex(controlOpId(genesis), 'base16'), ControlOp.encode(genesis))
  await store.flush()
  return key.id
}

/** Private documents get their access state, before their replica loads (stored content is ciphertext). */
export async function loadAccess (docId: string, store: Store, me: PeerKey): Promise<DocAccess | undefined> {
  if (!isPrivateDocId(docId)) return undefined
  return await DocAccess.load(docId, store, me)
}

/** Wires a loaded document's access state: ops this peer issues are published with `publish`. */
export function attachAccess (replica: Replica, publish: (op: Uint8Array) => void): void {
  const access = replica.access
  if (access === undefined) return
  access.on('issued', publish)
  access.on('access', () => {
    witness(replica, access)
    access.maybeRotate()
  })
  access.maybeRotate()
}

/**
 * The concurrent-write rule, this peer's part: a writer that learns of a revocation after it had
 * applied the revoked key's envelopes beyond the cutoff says so with a Witness op, which extends
 * the cutoff everywhere to what it applied, so no replica has to un-apply honest real-time content.
 */
function witness (replica: Replica, access: DocAccess): void {
  if (access.role !== 'writer' && access.role !== 'admin') return
  for (const [author, seq] of replica.vv.entries()) {
    if (author === replica.author || seq === 0 || access.canWrite(author, seq)) continue
    access.issue(witnessBody(fromHex(author, 'base16'), seq))
  }
}

/** Redeems `link` once its Invite op has arrived (by sync or gossip). */
export async function redeemWhenReady (replica: Replica, link: string, signal: AbortSignal): Promise<void> {
  const access = replica.access
  if (access === undefined) return
  while (!access.redeem(link, replica.vv.get(replica.author))) {
    if (signal.aborted) throw new Error(`the invite of ${replica.docId} did not arrive: ${String(signal.reason)}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

/**
 * A private document's presence seal: sealed under its current content key, bound to the origin
 * peer, opened with any epoch key held. Looked up at each use, since the document may load later.
 */
export function presenceSeal (docId: string, accessOf: () => DocAccess | undefined): PresenceSeal | undefined {
  if (!isPrivateDocId(docId)) return undefined
  const origin = (peer: string): Uint8Array => new TextEncoder().encode(peer)
  return {
    readable: () => accessOf()?.epochs.currentId !== undefined,
    seal: (update, peer) => accessOf()?.encrypt(Kind.presence, update, origin(peer)),
    open: (sealed, peer) => accessOf()?.decrypt(Kind.presence, sealed, origin(peer))
  }
}
