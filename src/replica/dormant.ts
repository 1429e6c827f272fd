import * as Y from 'yjs'
import { mergeUpdates } from './merge-updates.js'
import { Envelope, decodeCheckpoint } from '../wire/codec.js'
import { VersionVector, vectorFromWire } from './version-vector.js'
import { answerSync, type AnswerSource, type SyncAnswer } from './answer.js'
import type { ReplicaContext } from './replica.js'

/**
 * A document served from the store alone: no Y.Doc in memory, only its version
 * vector. It tells duplicates apart, tells whether a beacon shows something new,
 * and answers sync requests by merging the stored checkpoint and envelopes as
 * binary updates (Yjs merges and diffs updates without a document). Anything that
 * changes the document wakes it into a full replica first.
 */
export class DormantReplica {
  private constructor (readonly docId: string, readonly vv: VersionVector, private readonly ctx: ReplicaContext) {}

  /** The vector as the store has it: the checkpoint's, then each author's contiguous envelopes. */
  static async open (docId: string, ctx: ReplicaContext): Promise<DormantReplica> {
    const vv = new VersionVector()
    const checkpoint = await ctx.store.getCheckpoint(docId)
    if (checkpoint !== undefined) vv.raiseTo(vectorFromWire(decodeCheckpoint(checkpoint, Infinity).vv))
    for await (const { author, seq } of ctx.store.envelopesAbove(docId, new Map(vv.entries()))) {
      if (seq === vv.get(author) + 1) vv.add(author, seq)
    }
    return new DormantReplica(docId, vv, ctx)
  }

  /** Taking over from a replica that is being unloaded: its vector is what the store will hold. */
  static fromVector (docId: string, vv: VersionVector, ctx: ReplicaContext): DormantReplica {
    const copy = new VersionVector()
    copy.raiseTo(vv.entries())
    return new DormantReplica(docId, copy, ctx)
  }

  has (author: string, seq: number): boolean {
    return this.vv.has(author, seq)
  }

  async answer (remote: ReadonlyMap<string, number>, remoteStateVector: Uint8Array): Promise<SyncAnswer> {
    return await answerSync(this.source, remote, remoteStateVector)
  }

  /** Nothing is pending in a dormant document: only the store's queue. */
  async flush (): Promise<void> {
    await this.ctx.store.flush()
  }

  private get source (): AnswerSource {
    const diff = async (stateVector: Uint8Array | undefined): Promise<Uint8Array> => await this.storedDiff(stateVector)
    return { docId: this.docId, vv: this.vv, ctx: this.ctx, diff }
  }

  private async storedDiff (stateVector: Uint8Array | undefined): Promise<Uint8Array> {
    const updates: Uint8Array[] = []
    const checkpointBytes = await this.ctx.store.getCheckpoint(this.docId)
    const checkpoint = checkpointBytes === undefined ? undefined : decodeCheckpoint(checkpointBytes, Infinity)
    if (checkpoint !== undefined) updates.push(checkpoint.update)
    // What the checkpoint covers is in it (loading skips those envelopes too); with history kept,
    // they are most of the log.
    const covered = new Map(checkpoint === undefined ? [] : vectorFromWire(checkpoint.vv))
    for await (const { bytes } of this.ctx.store.envelopesAbove(this.docId, covered)) {
      updates.push(Envelope.decode(bytes).payload)
    }
    const merged = mergeUpdates(updates)
    if (stateVector === undefined) return merged
    try {
      return Y.diffUpdate(merged, stateVector)
    } catch {
      return merged
    }
  }
}
