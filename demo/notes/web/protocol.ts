/** Messages of the notes:web WebSocket bridge (JSON, Uint8Arrays as `{ $bytes }`; see shared/bytes-json.ts). */
import type { NotesEvent } from '../shared/bridge.js'

/** Page -> server: one call of `window.notes`. */
export interface WebCall {
  id: number
  method: unknown
  args: unknown
}

/** Server -> page: the answer to call `id`, or an event. */
export type WebReply =
  | { id: number, result: unknown }
  | { id: number, error: string }
  | { event: NotesEvent }
