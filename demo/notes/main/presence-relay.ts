/**
 * Presence for one open note, relayed between the renderer and the network.
 *
 * The renderer's editor owns an Awareness on its own Y.Doc; the main side
 * holds a second Awareness whose local client *is* the renderer's (same
 * clientID), bound to weft's presence channel for the note. So the engine
 * announces, renews and withdraws the renderer's state as its own, and
 * states of other devices flow back to the renderer as awareness updates.
 */
import * as Y from 'yjs'
import { Awareness, encodeAwarenessUpdate } from 'y-protocols/awareness'
import type { AwarenessChannel, Weft } from '../../../src/index.js'

export class PresenceRelay {
  private readonly awareness: Awareness
  private readonly channel: AwarenessChannel

  constructor (
    weft: Weft,
    readonly docId: string,
    readonly clientId: number,
    private readonly send: (update: Uint8Array) => void
  ) {
    const stand = new Y.Doc() // only lends its clientID: the renderer's
    stand.clientID = clientId
    this.awareness = new Awareness(stand)
    this.awareness.on('update', this.onUpdate)
    this.channel = weft.presence(docId, this.awareness)
  }

  /** The renderer's state changed (its cursor, its name). To leave, destroy the relay. */
  setLocal (state: Record<string, unknown>): void {
    this.awareness.setLocalState(state)
  }

  private readonly onUpdate = (
    { added, updated, removed }: { added: number[], updated: number[], removed: number[] }
  ): void => {
    const others = [...added, ...updated, ...removed].filter(c => c !== this.clientId)
    if (others.length > 0) this.send(encodeAwarenessUpdate(this.awareness, others))
  }

  /** Withdraws the renderer's presence (the channel tells the others, even right after a null) and leaves the topic. */
  destroy (): void {
    this.awareness.off('update', this.onUpdate)
    this.awareness.setLocalState(null)
    this.channel.destroy()
    this.awareness.destroy()
  }
}
