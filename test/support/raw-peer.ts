import { generateKeyPair } from '@libp2p/crypto/keys'
import * as Y from 'yjs'
import { createNode, type WeftLibp2p } from '../../src/net/libp2p-node.js'
import { nodePlatform } from '../../src/platform/node.js'
import { ENVELOPE_VERSION, Envelope, GossipFrame, envelopeSigningBytes } from '../../src/wire/codec.js'
import { packHlc } from '../../src/clock/hlc.js'
import { structEnds } from '../../src/sync/validate.js'
import { nodeEd25519 } from '../../src/identity/ed25519-node.js'
import type { Ed25519PrivateKey, PeerId } from '@libp2p/interface'
import { LOOPBACK } from './peers.js'

/**
 * A libp2p node that speaks weft's protocols (same transports, DHT, gossipsub
 * settings) but runs no engine: tests use it to send exactly the bytes they
 * want, good or bad, through real connections.
 */
export async function rawPeer (): Promise<{ node: WeftLibp2p, key: Ed25519PrivateKey }> {
  const key = await generateKeyPair('Ed25519')
  const node = await createNode({ ...LOOPBACK }, nodePlatform, key)
  return { node, key }
}

/** What a peer seals into a version-2 envelope: where the payload's structs end (none for garbage). */
function endsOf (payload: Uint8Array): Uint8Array<ArrayBuffer> {
  try {
    return structEnds(payload)
  } catch {
    return new Uint8Array(0)
  }
}

/** A correctly signed envelope (unless the caller spoils a field afterwards); version 1 is the legacy format. */
export function signedEnvelope (
  key: Ed25519PrivateKey,
  docId: string,
  seq: number,
  payload: Uint8Array,
  hlc = packHlc({ wall: Date.now(), logical: 0 }),
  version = ENVELOPE_VERSION
): Envelope {
  const envelope: Envelope = {
    version,
    docId,
    author: key.publicKey.raw as Uint8Array<ArrayBuffer>,
    seq,
    hlc,
    payload: payload as Uint8Array<ArrayBuffer>,
    signature: new Uint8Array(0),
    payloadHash: new Uint8Array(0),
    ends: version === ENVELOPE_VERSION ? endsOf(payload) : new Uint8Array(0)
  }
  envelope.signature = nodeEd25519.sign(
    key.raw.subarray(0, 32),
    key.publicKey.raw,
    envelopeSigningBytes(envelope)
  ) as Uint8Array<ArrayBuffer>
  return envelope
}

export const frame = (envelope: Envelope): Uint8Array => GossipFrame.encode({ envelope })

/** A Yjs update that inserts `s` into text 'text' of a fresh doc. */
export function textUpdate (s: string, clientID?: number): Uint8Array {
  const doc = new Y.Doc()
  if (clientID !== undefined) doc.clientID = clientID
  doc.getText('text').insert(0, s)
  return Y.encodeStateAsUpdate(doc)
}

/**
 * Whether a publish from `node` on `topic` reaches `peer` now: gossipsub lists the peer on the topic
 * once the peer's own stream has told it so, but sends only over its own outbound stream, opened one
 * peer at a time after the connection; a publish before that stream exists is silently not sent.
 */
export function canGossipTo (node: WeftLibp2p, topic: string, peer: PeerId): boolean {
  // The implementation's public field; gossipsub's exported interface leaves it out.
  const outbound = (node.services.pubsub as unknown as { streamsOutbound: Map<string, unknown> }).streamsOutbound
  return node.services.pubsub.getSubscribers(topic).some(p => p.equals(peer)) && outbound.has(peer.toString())
}
