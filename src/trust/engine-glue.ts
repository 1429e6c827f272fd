/**
 * What the engine does for private documents, kept here so the engine's own edits stay a few
 * lines: creating a document key, attaching a document's access state to its replica, and
 * turning a link into a membership.
 */
import { toString as toHex } from 'uint8arrays'
import { ControlOp } from '../wire/trust.js'
import type { Store } from '../store/store.js'
import type { Replica } from '../replica/replica.js'
import { DocAccess } from './doc-access.js'
import { controlOpId, type SigningKey } from './signed.js'
import { isPrivateDocId, newDocKey } from './keys.js'

/** Makes a document key, keeps its root seed, and writes the genesis op making `me` its admin. */
export async function createPrivateDoc (store: Store, me: SigningKey): Promise<string> {
  const key = newDocKey()
  await store.putRootSeed(key.id, key.seed)
  const genesis = DocAccess.genesis(key.id, key.seed, me.publicKey)
  await store.putControlOp(key.id, toHex(controlOpId(genesis), 'base16'), ControlOp.encode(genesis))
  await store.flush()
  return key.id
}

/** Private documents get their access state; ops this peer issues are published with `publish`. */
export async function attachAccess (replica: Replica, store: Store, me: SigningKey, publish: (op: Uint8Array) => void): Promise<void> {
  if (!isPrivateDocId(replica.docId)) return
  const access = await DocAccess.load(replica.docId, store, me)
  access.on('issued', publish)
  replica.access = access
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
