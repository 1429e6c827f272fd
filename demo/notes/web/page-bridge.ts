/**
 * Loaded before the renderer by `npm run notes:web`: `window.notes` built by the same
 * createNotesBridge the Electron preload uses, over a WebSocket to the page's own server instead
 * of Electron IPC. Calls are queued until the socket is open; a closed socket fails them.
 */
import { createNotesBridge } from '../shared/bridge-client.js'
import type { NotesEvent } from '../shared/bridge.js'
import { parseWithBytes, stringifyWithBytes } from '../shared/bytes-json.js'
import type { WebReply } from './protocol.js'

const socket = new WebSocket(new URL('bridge', location.href.replace(/^http/, 'ws')))
const opened = new Promise<void>((resolve, reject) => {
  socket.addEventListener('open', () => { resolve() })
  socket.addEventListener('close', () => { reject(new Error('the notes server closed the connection')) })
})
const pending = new Map<number, { resolve: (v: unknown) => void, reject: (e: Error) => void }>()
const listeners = new Set<(event: NotesEvent) => void>()
let nextId = 1

socket.addEventListener('message', message => {
  const reply = parseWithBytes(String(message.data)) as WebReply
  if ('event' in reply) {
    for (const listener of listeners) listener(reply.event)
    return
  }
  const call = pending.get(reply.id)
  pending.delete(reply.id)
  if ('error' in reply) call?.reject(new Error(reply.error))
  else call?.resolve(reply.result)
})
socket.addEventListener('close', () => {
  for (const call of pending.values()) call.reject(new Error('the notes server closed the connection'))
  pending.clear()
})

window.notes = createNotesBridge({
  invoke: async (method, args) => {
    await opened
    const id = nextId++
    const reply = new Promise((resolve, reject) => { pending.set(id, { resolve, reject }) })
    socket.send(stringifyWithBytes({ id, method, args }))
    return await reply
  },
  subscribe: listener => {
    listeners.add(listener)
    return () => { listeners.delete(listener) }
  }
})
