/**
 * Wire format of presence messages on `/weft/awareness/1/<docId>`.
 *
 * ```
 * varuint      version (1)
 * varuint      kind: 0 = update, 1 = update + query ("send me your state")
 * varstring    origin peer id (the libp2p peer that produced the message)
 * varuint      nonce: the sender's message counter
 * varuint8arr  y-protocols awareness update (may hold zero clients for a bare query)
 * ```
 *
 * The nonce exists because gossipsub (StrictNoSign) identifies a message by
 * the hash of its bytes and drops repeats for minutes: without it, answering
 * a query with an unchanged state would repeat an earlier message byte for
 * byte, and relays would swallow it as a duplicate.
 *
 * The origin is what receivers rate-limit on. It is not signed (gossipsub runs
 * unsigned on weft topics, and presence is not worth a signature per cursor
 * move), so it is a hint: a spoofing sender gains nothing but its own messages
 * being attributed elsewhere, and a second bucket per propagation source
 * bounds what any one neighbour can push through us.
 */
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import { PROTOCOL } from '../defaults.js'

export const AWARENESS_WIRE_VERSION = 1

export type AwarenessMessageKind = 'update' | 'query'

export interface AwarenessMessage {
  kind: AwarenessMessageKind
  /** libp2p peer id (string) of the producer. */
  origin: string
  /** Sender's message counter; makes every message unique to gossipsub's duplicate filter. */
  nonce: number
  /** A y-protocols awareness update. */
  update: Uint8Array
}

export class AwarenessWireError extends Error {
  override name = 'AwarenessWireError'
  constructor (message: string, readonly reason: 'malformed' | 'version' | 'too-many-clients') {
    super(message)
  }
}

const MAX_ORIGIN_CHARS = 128

export function awarenessTopic (docId: string): string {
  return `${PROTOCOL.presenceTopicPrefix}${docId}`
}

export function encodeAwarenessMessage (msg: AwarenessMessage): Uint8Array {
  const enc = encoding.createEncoder()
  encoding.writeVarUint(enc, AWARENESS_WIRE_VERSION)
  encoding.writeVarUint(enc, msg.kind === 'query' ? 1 : 0)
  encoding.writeVarString(enc, msg.origin)
  encoding.writeVarUint(enc, msg.nonce)
  encoding.writeVarUint8Array(enc, msg.update)
  return encoding.toUint8Array(enc)
}

/** Decodes the envelope; throws AwarenessWireError on anything unexpected. */
export function decodeAwarenessMessage (bytes: Uint8Array): AwarenessMessage {
  try {
    const dec = decoding.createDecoder(bytes)
    const version = decoding.readVarUint(dec)
    if (version !== AWARENESS_WIRE_VERSION) {
      throw new AwarenessWireError(`unknown awareness wire version ${version}`, 'version')
    }
    const kindCode = decoding.readVarUint(dec)
    if (kindCode > 1) throw new AwarenessWireError(`unknown message kind ${kindCode}`, 'malformed')
    const origin = decoding.readVarString(dec)
    if (origin.length === 0 || origin.length > MAX_ORIGIN_CHARS) {
      throw new AwarenessWireError('bad origin', 'malformed')
    }
    const nonce = decoding.readVarUint(dec)
    const update = decoding.readVarUint8Array(dec)
    if (decoding.hasContent(dec)) throw new AwarenessWireError('trailing bytes', 'malformed')
    return { kind: kindCode === 1 ? 'query' : 'update', origin, nonce, update }
  } catch (err) {
    if (err instanceof AwarenessWireError) throw err
    throw new AwarenessWireError(`undecodable awareness message: ${(err as Error).message}`, 'malformed')
  }
}

export interface AwarenessEntry {
  clientID: number
  clock: number
  /** Parsed state; null means "this client left". */
  state: unknown
}

/**
 * Fully parses a y-protocols awareness update (count, then per client:
 * clientID, clock, JSON state) so that a malformed one is refused before it
 * reaches `applyAwarenessUpdate`, which would throw mid-way.
 */
export function inspectAwarenessUpdate (update: Uint8Array, maxClients: number): AwarenessEntry[] {
  let entries: AwarenessEntry[]
  try {
    const dec = decoding.createDecoder(update)
    const count = decoding.readVarUint(dec)
    if (count > maxClients) {
      throw new AwarenessWireError(`${count} clients in one update (max ${maxClients})`, 'too-many-clients')
    }
    entries = []
    for (let i = 0; i < count; i++) {
      const clientID = decoding.readVarUint(dec)
      const clock = decoding.readVarUint(dec)
      const state: unknown = JSON.parse(decoding.readVarString(dec))
      entries.push({ clientID, clock, state })
    }
    if (decoding.hasContent(dec)) throw new AwarenessWireError('trailing bytes in awareness update', 'malformed')
  } catch (err) {
    if (err instanceof AwarenessWireError) throw err
    throw new AwarenessWireError(`undecodable awareness update: ${(err as Error).message}`, 'malformed')
  }
  return entries
}
