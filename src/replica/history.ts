import * as Y from 'yjs'
import { unpackHlc } from '../clock/hlc.js'
import { Checkpoint, Envelope, decodeCheckpoint } from '../wire/codec.js'
import { authorHex } from './version-vector.js'
import type { Store } from '../store/store.js'

/** One envelope of a document's log, as `handle.history()` lists it. */
export interface HistoryEntry {
  /** The author's key (hex ed25519 public key): the same name the version vector and `members()` use. */
  author: string
  /**
   * The author's sequence number for this envelope: 1, 2, 3... per (author, document). 0: a merged
   * checkpoint this peer caught up from, standing for envelopes it never received one by one;
   * `author` is then the peer that merged it, and `time` that of the latest edit it stands for.
   */
  seq: number
  /**
   * The envelope's hybrid logical clock stamp as 16 hex digits (48-bit ms, 16-bit counter): sorts
   * as a string in HLC order, survives JSON.
   */
  hlc: string
  /** Milliseconds since the epoch: the wall part of the stamp, i.e. the author's clock when it sealed the edit. */
  time: number
  /** Size of the envelope's update as it travelled (ciphertext in a private document). */
  bytes: number
}

/** What reading history needs from a loaded document. */
export interface HistorySource {
  docId: string
  store: Store
  /** The Yjs update an envelope carries, or undefined when this peer holds no key for it (private documents). */
  readable: (envelope: Envelope) => Uint8Array | undefined
  /** Likewise for a checkpoint kept for history. */
  readableCheckpoint: (checkpoint: Checkpoint) => Uint8Array | undefined
}

/** A stamp as history names it: 16 hex digits, so that string order is HLC order. */
export function hlcHex (packed: bigint): string {
  return packed.toString(16).padStart(16, '0')
}

type Logged =
  | { entry: HistoryEntry, packed: bigint, envelope: Envelope, checkpoint?: undefined }
  | { entry: HistoryEntry, packed: bigint, checkpoint: Checkpoint, envelope?: undefined }

/**
 * Every stored envelope of the document and every checkpoint kept for history, in HLC order
 * (author key and seq break ties, so the order is total).
 */
async function readLog (source: HistorySource): Promise<Logged[]> {
  const log: Logged[] = []
  for await (const { author, seq, bytes } of source.store.envelopes(source.docId)) {
    const envelope = Envelope.decode(bytes)
    const packed = envelope.hlc
    const entry = { author, seq, hlc: hlcHex(packed), time: unpackHlc(packed).wall, bytes: envelope.payload.byteLength }
    log.push({ entry, envelope, packed })
  }
  for await (const { hlcHex: hlc, bytes } of source.store.historyBases(source.docId)) {
    const checkpoint = decodeCheckpoint(bytes, Infinity)
    const packed = BigInt('0x' + hlc)
    const author = authorHex(checkpoint.signer)
    const entry = { author, seq: 0, hlc, time: unpackHlc(packed).wall, bytes: checkpoint.update.byteLength }
    log.push({ entry, checkpoint, packed })
  }
  return log.sort(byHlc)
}

function byHlc (a: Logged, b: Logged): number {
  if (a.packed !== b.packed) return a.packed < b.packed ? -1 : 1
  // A checkpoint shares the stamp of the latest head it stands for, and comes before it.
  if ((a.entry.seq === 0) !== (b.entry.seq === 0)) return a.entry.seq === 0 ? -1 : 1
  if (a.entry.author !== b.entry.author) return a.entry.author < b.entry.author ? -1 : 1
  return a.entry.seq - b.entry.seq
}

/** The document's log, oldest first. Only what this peer's store holds (see `handle.history()`). */
export async function readHistory (source: HistorySource): Promise<HistoryEntry[]> {
  return (await readLog(source)).map(l => l.entry)
}

/**
 * A fresh Y.Doc with every stored envelope stamped at or before `time` applied. Within one author,
 * the envelopes up to its last one stamped at or before `time` are all taken: an author's own edits
 * are in seq order whatever its clock did between two runs, and Yjs needs them in that order.
 */
export async function readVersionAt (source: HistorySource, time: number): Promise<Y.Doc> {
  const log = await readLog(source)
  const reach = new Map<string, number>()
  for (const { entry, envelope } of log) {
    if (envelope === undefined || entry.time > time) continue
    reach.set(entry.author, Math.max(reach.get(entry.author) ?? 0, entry.seq))
  }
  const doc = new Y.Doc()
  // One transaction: observers of the returned doc see one state, and Yjs integrates an edit
  // stamped before its dependency (clocks skewed beyond maxClockDriftMs) once the dependency is in.
  Y.transact(doc, () => {
    const taken = log.filter(l => l.checkpoint !== undefined
      ? l.entry.time <= time
      : l.entry.seq <= (reach.get(l.entry.author) ?? 0))
    for (const l of inAuthorOrder(taken)) {
      const update = l.checkpoint !== undefined
        ? source.readableCheckpoint(l.checkpoint)
        : source.readable(l.envelope)
      if (update !== undefined) Y.applyUpdate(doc, update)
    }
  })
  return doc
}

/**
 * HLC order, except that each author's envelopes keep their seq order (a merge of per-author
 * queues by the stamp at their heads): replicas apply them that way, and Yjs integrates reliably so.
 */
function inAuthorOrder (log: Logged[]): Logged[] {
  const queues = new Map<string, Logged[]>()
  for (const l of log) {
    // A checkpoint is a queue of its own: its signer's envelopes keep their order without it.
    const key = l.checkpoint !== undefined ? `checkpoint ${l.entry.hlc}` : l.entry.author
    let queue = queues.get(key)
    if (queue === undefined) queues.set(key, queue = [])
    queue.push(l)
  }
  for (const queue of queues.values()) queue.sort((a, b) => b.entry.seq - a.entry.seq)  // popped from the end
  const out: Logged[] = []
  while (queues.size > 0) {
    let next: [string, Logged[]] | undefined
    for (const [key, queue] of queues) {
      if (next === undefined || byHlc(queue[queue.length - 1], next[1][next[1].length - 1]) < 0) next = [key, queue]
    }
    const [key, queue] = next as [string, Logged[]]
    out.push(queue.pop() as Logged)
    if (queue.length === 0) queues.delete(key)
  }
  return out
}
