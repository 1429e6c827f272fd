import * as Y from 'yjs'
import { unpackHlc } from '../clock/hlc.js'
import { Envelope } from '../wire/codec.js'
import type { Store } from '../store/store.js'

/** One envelope of a document's log, as `handle.history()` lists it. */
export interface HistoryEntry {
  /** The author's key (hex ed25519 public key): the same name the version vector and `members()` use. */
  author: string
  /** The author's sequence number for this envelope: 1, 2, 3... per (author, document). */
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
}

interface Logged { entry: HistoryEntry, envelope: Envelope, packed: bigint }

/** Every stored envelope of the document, in HLC order (author key and seq break ties, so the order is total). */
async function readLog (source: HistorySource): Promise<Logged[]> {
  const log: Logged[] = []
  for await (const { author, seq, bytes } of source.store.envelopes(source.docId)) {
    const envelope = Envelope.decode(bytes)
    const { wall } = unpackHlc(envelope.hlc)
    const hlc = envelope.hlc.toString(16).padStart(16, '0')
    const entry = { author, seq, hlc, time: wall, bytes: envelope.payload.byteLength }
    log.push({ entry, envelope, packed: envelope.hlc })
  }
  return log.sort(byHlc)
}

function byHlc (a: Logged, b: Logged): number {
  if (a.packed !== b.packed) return a.packed < b.packed ? -1 : 1
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
  for (const { entry } of log) {
    if (entry.time <= time) reach.set(entry.author, Math.max(reach.get(entry.author) ?? 0, entry.seq))
  }
  const doc = new Y.Doc()
  // One transaction: observers of the returned doc see one state, and Yjs integrates an edit
  // stamped before its dependency (clocks skewed beyond maxClockDriftMs) once the dependency is in.
  Y.transact(doc, () => {
    for (const { envelope } of inAuthorOrder(log.filter(l => l.entry.seq <= (reach.get(l.entry.author) ?? 0)))) {
      const update = source.readable(envelope)
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
    let queue = queues.get(l.entry.author)
    if (queue === undefined) queues.set(l.entry.author, queue = [])
    queue.push(l)
  }
  for (const queue of queues.values()) queue.sort((a, b) => b.entry.seq - a.entry.seq)  // popped from the end
  const out: Logged[] = []
  while (queues.size > 0) {
    let next: Logged[] | undefined
    for (const queue of queues.values()) {
      if (next === undefined || byHlc(queue[queue.length - 1], next[next.length - 1]) < 0) next = queue
    }
    const head = next as Logged[]
    out.push(head.pop() as Logged)
    if (head.length === 0) queues.delete(head[0]?.entry.author ?? out[out.length - 1].entry.author)
  }
  return out
}
